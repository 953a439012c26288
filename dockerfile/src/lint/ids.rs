//! Every lint rule's id as a constant. Rules name themselves with these (`ctx.finding(ids::…)`
//! takes a [`RuleId`], which only this module makes), so a misspelt id is a compile error, not a
//! finding filed under an unknown rule.

/// A rule id (`GR001`...), made only here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleId(&'static str);

impl RuleId {
    /// The id as written (`GR003`).
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

pub const PIN_BASE_TAG: RuleId = RuleId("GR001");
pub const APT_UPDATE_ALONE: RuleId = RuleId("GR002");
pub const APT_LISTS_NOT_REMOVED: RuleId = RuleId("GR003");
pub const APT_NO_INSTALL_RECOMMENDS: RuleId = RuleId("GR004");
pub const PIP_NO_CACHE_DIR: RuleId = RuleId("GR005");
pub const COPY_CONTEXT_BEFORE_DEPS: RuleId = RuleId("GR006");
pub const COPY_FROM_UNKNOWN_STAGE: RuleId = RuleId("GR007");
pub const STAGE_NAME_CONFLICT: RuleId = RuleId("GR008");
pub const FINAL_STAGE_ROOT: RuleId = RuleId("GR009");
pub const SHELL_FORM_CMD: RuleId = RuleId("GR010");
pub const ADD_INSTEAD_OF_COPY: RuleId = RuleId("GR011");
pub const TOOLCHAIN_IN_RUNTIME: RuleId = RuleId("GR012");
pub const COPY_WHOLE_FILESYSTEM: RuleId = RuleId("GR013");
pub const DEPENDENCY_CACHE_MOUNT: RuleId = RuleId("GR014");
pub const SECRET_IN_ARG_OR_ENV: RuleId = RuleId("GR015");

/// Every id, in order.
pub const ALL: [RuleId; 15] = [
    PIN_BASE_TAG,
    APT_UPDATE_ALONE,
    APT_LISTS_NOT_REMOVED,
    APT_NO_INSTALL_RECOMMENDS,
    PIP_NO_CACHE_DIR,
    COPY_CONTEXT_BEFORE_DEPS,
    COPY_FROM_UNKNOWN_STAGE,
    STAGE_NAME_CONFLICT,
    FINAL_STAGE_ROOT,
    SHELL_FORM_CMD,
    ADD_INSTEAD_OF_COPY,
    TOOLCHAIN_IN_RUNTIME,
    COPY_WHOLE_FILESYSTEM,
    DEPENDENCY_CACHE_MOUNT,
    SECRET_IN_ARG_OR_ENV,
];

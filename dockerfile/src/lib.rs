//! Dockerfile parser and lint rules (work in progress).

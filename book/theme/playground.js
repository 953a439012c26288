// The lint playground: every `.lint-playground` box on a page (from `{{#playground}}`) is
// linted on each edit by the course's own lint, the `dockerfile` crate compiled to WebAssembly
// (lint-wasm/). The module arrives as base64 in playground/lint-wasm.js, loaded only on pages
// that have a box; nothing leaves the browser.
(function () {
    'use strict';
    var boxes = document.querySelectorAll('.lint-playground');
    if (boxes.length === 0) {
        return;
    }
    var root = typeof path_to_root === 'string' ? path_to_root : '';

    function status(box, text) {
        box.querySelector('.lint-status').textContent = text;
    }

    function page(book) {
        // "multi-stage.md#why" -> "<root>multi-stage.html#why"
        var parts = book.split('#');
        return root + parts[0].replace(/\.md$/, '.html') + (parts[1] ? '#' + parts[1] : '');
    }

    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined) e.textContent = text;
        return e;
    }

    function show(box, answer) {
        var list = box.querySelector('.lint-findings');
        list.textContent = '';
        if (answer.error) {
            status(box, 'Does not parse: line ' + answer.error.line + ': ' + answer.error.message);
            box.setAttribute('data-state', 'error');
            return;
        }
        var findings = answer.findings;
        var serious = findings.filter(function (f) { return f.severity !== 'info'; }).length;
        box.setAttribute('data-state', 'linted');
        box.setAttribute('data-findings', String(findings.length));
        status(box, findings.length === 0
            ? 'No findings: ' + answer.stages.length + ' stage(s), every rule satisfied.'
            : findings.length + ' finding(s), ' + serious + ' of them warnings or errors, in '
              + answer.stages.length + ' stage(s). The grader says the same: grader lint --format json.');
        findings.forEach(function (f) {
            var li = el('li', 'lint-finding lint-' + f.severity);
            li.setAttribute('data-rule', f.rule);
            li.setAttribute('data-severity', f.severity);
            li.setAttribute('data-line', String(f.line));
            li.setAttribute('data-end-line', String(f.end_line));
            li.setAttribute('data-stage', f.stage || '');
            li.setAttribute('data-book', f.book || '');
            var rule = el('a', 'lint-rule', f.rule);
            rule.href = root + 'reference/lint-rules.html#' + f.rule.toLowerCase();
            li.appendChild(rule);
            li.appendChild(el('span', 'lint-severity', f.severity));
            li.appendChild(el('span', 'lint-where', 'line ' + f.line + (f.stage ? ', stage ' + f.stage : '')));
            li.appendChild(el('span', 'lint-message', f.message));
            if (f.book) {
                var read = el('a', 'lint-read', 'read');
                read.href = page(f.book);
                li.appendChild(read);
            }
            list.appendChild(li);
        });
    }

    function start(exports) {
        var encoder = new TextEncoder();
        var decoder = new TextDecoder();
        function lint(text) {
            var bytes = encoder.encode(text);
            var ptr = exports.alloc(bytes.length);
            new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
            var len = exports.lint(ptr, bytes.length);
            exports.dealloc(ptr, bytes.length);
            var out = new Uint8Array(exports.memory.buffer, exports.result_ptr(), len);
            return JSON.parse(decoder.decode(out));
        }
        boxes.forEach(function (box) {
            var input = box.querySelector('.lint-input');
            var timer = null;
            var run = function () { show(box, lint(input.value)); };
            input.addEventListener('input', function () {
                clearTimeout(timer);
                timer = setTimeout(run, 150);
            });
            run();
        });
    }

    var script = document.createElement('script');
    script.src = root + 'playground/lint-wasm.js';
    script.onload = function () {
        try {
            var b64 = window.LINT_WASM_BASE64;
            var raw = atob(b64);
            var bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
            WebAssembly.instantiate(bytes, {}).then(function (r) { start(r.instance.exports); }, function (e) {
                boxes.forEach(function (box) { status(box, 'The lint could not start: ' + e); });
            });
        } catch (e) {
            boxes.forEach(function (box) { status(box, 'The lint could not start: ' + e); });
        }
    };
    script.onerror = function () {
        boxes.forEach(function (box) {
            status(box, 'This copy of the book was built without the lint playground; `grader lint` gives the same findings.');
        });
    };
    document.head.appendChild(script);
})();

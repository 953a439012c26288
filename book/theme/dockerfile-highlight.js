// Syntax highlighting for ```dockerfile blocks. mdBook's bundled highlight.js (10.1) has no
// Dockerfile grammar, so this registers a small one and highlights those blocks again.
(function () {
    'use strict';
    if (typeof hljs === 'undefined') {
        return;
    }
    var keywords = 'FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL';
    hljs.registerLanguage('dockerfile', function (hljs) {
        return {
            name: 'Dockerfile',
            aliases: ['docker'],
            contains: [
                hljs.HASH_COMMENT_MODE,
                { className: 'keyword', begin: new RegExp('^[ \\t]*(?:' + keywords.split(' ').join('|') + ')\\b', 'i') },
                { className: 'keyword', begin: /\b(?:AS|as)\b(?=\s+[\w.-]+\s*$)/ },
                { className: 'attr', begin: /--[a-z][a-z-]*(?==|\s)/ },
                { className: 'variable', begin: /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/ },
                hljs.QUOTE_STRING_MODE,
                hljs.APOS_STRING_MODE,
                { className: 'meta', begin: /<<-?["']?[A-Z_]+["']?/ }
            ]
        };
    });
    document.querySelectorAll('code.language-dockerfile').forEach(function (block) {
        block.textContent = block.textContent; // drop any earlier, failed highlighting
        hljs.highlightBlock(block);
        block.classList.add('hljs');
    });
})();

/* The rich-text editor (Jodit, MIT) on textareas marked data-editor="rich".
 *
 * A convenience only: the server sanitises whatever is posted (nh3, same allowlist as
 * without JavaScript), and without JavaScript the textarea works as plain text, a blank
 * line starting a new paragraph. Pasted Word/WPS content keeps its structure (paragraphs,
 * headings, bold, lists, tables, links); styles and the rest are dropped on paste.
 * Images come only from the item's own uploaded photos (data-images on the textarea).
 */
(function () {
  "use strict";

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  // Plain text as stored for editing (paragraphs at blank lines) -> HTML paragraphs.
  function asHtml(value) {
    if (/<[a-zA-Z\/!]/.test(value)) { return value; }
    return value.split(/\n\s*\n/).filter(function (p) { return p.trim(); })
      .map(function (p) {
        return "<p>" + p.trim().split("\n").map(escapeHtml).join("<br>") + "</p>";
      }).join("\n");
  }

  function start(textarea) {
    if (typeof Jodit === "undefined") { return; }
    var images = [];
    try { images = JSON.parse(textarea.dataset.images || "[]"); } catch (e) { images = []; }
    var buttons = ["paragraph", "bold", "italic", "underline", "strikethrough", "|",
      "ul", "ol", "|", "table", "link"];
    var extra = [];
    if (images.length) {
      buttons.push("itemImage");
      extra.push({
        name: "itemImage",
        text: "插入本信息图片",
        tooltip: "插入本信息已上传的图片",
        list: images.map(function (img) { return img.alt; }),
        exec: function (editor, _, opts) {
          var chosen = images.filter(function (img) {
            return opts && opts.control && img.alt === opts.control.name;
          })[0] || images[0];
          editor.s.insertHTML('<img src="' + escapeHtml(chosen.src) + '" alt="' +
            escapeHtml(chosen.alt) + '">');
        }
      });
    }
    buttons.push("|", "eraser", "undo", "redo");
    textarea.value = asHtml(textarea.value);
    var editor = Jodit.make(textarea, {
      language: "zh_cn",
      toolbarAdaptive: false,
      buttons: buttons,
      extraButtons: extra,
      minHeight: 360,
      statusbar: false,
      showPlaceholder: false,
      showCharsCounter: false,
      showWordsCounter: false,
      showXPathInStatusbar: false,
      askBeforePasteHTML: false,
      askBeforePasteFromWord: false,
      defaultActionOnPaste: "insert_clear_html",
      defaultActionOnPasteFromWord: "insert_clear_html",
      processPasteFromWord: true,
      beautifyHTML: false,   // (would load js-beautify from a CDN)
      sourceEditor: "area",  // (instead of Ace from a CDN)
      enter: "p",
      link: { noFollowCheckbox: false, openInNewTabCheckbox: false },
      disablePlugins: ["speech-recognize", "ai-assistant", "powered-by-jodit", "print",
        "preview", "file", "video", "iframe", "media", "spellcheck", "source"],
      cleanHTML: {
        denyTags: "script,style,iframe,object,embed",
        removeEmptyElements: true
      }
    });
    // The label of the textarea names the editing area for screen readers.
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label && editor.editor) {
      editor.editor.setAttribute("role", "textbox");
      editor.editor.setAttribute("aria-multiline", "true");
      editor.editor.setAttribute("aria-label", label.textContent.replace("*", "").trim());
    }
    // Pasted images (Word's local clip files, other sites) cannot be published: only the
    // item's own photos stay (the server drops any other image as well).
    function dropForeignImages() {
      Array.prototype.forEach.call(editor.editor.querySelectorAll("img"), function (img) {
        if (!/^\/media\/\d+\//.test(img.getAttribute("src") || "")) { img.remove(); }
      });
    }
    editor.events.on("afterPaste", function () {
      dropForeignImages();
      editor.synchronizeValues();
    });
    // Keep the textarea in step, so a plain form post carries the text: on every change,
    // and once more when the form is sent (changes reach the textarea after a short delay).
    editor.events.on("change", function () { textarea.value = editor.value; });
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () {
        textarea.value = editor.value;
      }, true);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll('textarea[data-editor="rich"]'),
      start);
  });
}());

// A live count under every textarea with a maxlength: the limit shows before it bites.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[maxlength]").forEach(function (area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var note = document.createElement("p");
    note.className = "help char-count";
    note.id = (area.id || "text") + "-count";
    note.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", note);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    function update() {
      var left = max - area.value.length;
      note.textContent = "已输入 " + area.value.length + " 字，还可输入 " + left + " 字";
      note.classList.toggle("warning", left < max / 10);
    }
    area.addEventListener("input", update);
    update();
  });
});

// 问题台账: "全选本页" ticks every row; the batch bar counts the ticked rows.
(function () {
  "use strict";
  var all = document.getElementById("pick-all");
  var boxes = document.querySelectorAll('input[name="ids"][form="batch"]');
  var count = document.querySelector("[data-selected]");
  function update() {
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) { n += 1; } });
    if (count) { count.textContent = String(n); }
    if (all) { all.checked = n > 0 && n === boxes.length; }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();

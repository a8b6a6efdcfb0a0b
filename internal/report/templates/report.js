// pyrace HTML report: sortable tables. A constant script: the page's
// Content-Security-Policy lets it run by its SHA-256 hash and nothing else.
(function () {
	"use strict";
	var root = document.documentElement;

	function sortKey(row, col, numeric) {
		var cell = row.cells[col];
		var v = cell.getAttribute("data-sort");
		if (v === null) {
			v = cell.textContent.trim();
		}
		if (numeric) {
			var f = parseFloat(v);
			return isNaN(f) ? -Infinity : f;
		}
		return v.toLowerCase();
	}

	function sortTable(table, th, descending) {
		var col = th.cellIndex;
		var numeric = th.getAttribute("data-type") === "num";
		var body = table.tBodies[0];
		var rows = Array.prototype.slice.call(body.rows);
		rows.sort(function (a, b) {
			var ka = sortKey(a, col, numeric);
			var kb = sortKey(b, col, numeric);
			var c = ka < kb ? -1 : ka > kb ? 1 : 0;
			if (descending) {
				c = -c;
			}
			return c || (+a.getAttribute("data-i")) - (+b.getAttribute("data-i"));
		});
		rows.forEach(function (r) {
			body.appendChild(r);
		});
		Array.prototype.forEach.call(th.parentNode.cells, function (h) {
			h.removeAttribute("aria-sort");
		});
		th.setAttribute("aria-sort", descending ? "descending" : "ascending");
	}

	function toggle(table, th) {
		sortTable(table, th, th.getAttribute("aria-sort") === "ascending");
	}

	Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
		Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
			th.tabIndex = 0;
			th.title = "Sort by this column";
			th.addEventListener("click", function () {
				toggle(table, th);
			});
			th.addEventListener("keydown", function (e) {
				if (e.key === "Enter" || e.key === " ") {
					e.preventDefault();
					toggle(table, th);
				}
			});
		});
	});

	// A link can ask for an order: report.html#sort=pass_rate or
	// #sort=pass_rate-desc sorts the packages table on load.
	var m = /^#sort=([a-z_]+)(-desc)?$/.exec(location.hash);
	if (m) {
		var table = document.getElementById("packages-table");
		var th = table && table.querySelector('th[data-key="' + m[1] + '"]');
		if (th) {
			sortTable(table, th, !!m[2]);
		}
	}
	root.setAttribute("data-js", "ready");
})();

// Progressive enhancements: every page works without this file.
"use strict";

function addFacetFilters() {
  // A filter box above long facet lists.
  document.querySelectorAll(".facet[data-filterable]").forEach((facet) => {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "facet-filter";
    box.placeholder = "Filter " + facet.querySelector("h3").textContent.toLowerCase();
    box.setAttribute("aria-label", box.placeholder);
    box.addEventListener("input", () => {
      const wanted = box.value.trim().toLowerCase();
      facet.querySelectorAll("li").forEach((item) => {
        item.hidden = wanted !== "" && !item.textContent.toLowerCase().includes(wanted);
      });
    });
    facet.querySelector("h3").after(box);
  });
}

function addCiteButtons() {
  // Copy a passage's pinpoint citation; the citation stays readable in its <details> too.
  document.querySelectorAll("button.cite").forEach((button) => {
    button.hidden = false;
    const fallback = button.parentElement.querySelector(".cite-text");
    if (fallback) fallback.hidden = true;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.citation);
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Copy failed: open Citation";
      }
      setTimeout(() => { button.textContent = "Cite"; }, 2000);
    });
  });
}

function autoSubmitOptions() {
  // Sorting and grouping apply at once; the Apply button stays for pages without JS.
  document.querySelectorAll("[data-autosubmit]").forEach((control) => {
    control.addEventListener("change", () => control.form.submit());
    const apply = control.form.querySelector(".apply");
    if (apply) apply.hidden = true;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  addFacetFilters();
  addCiteButtons();
  autoSubmitOptions();
});

// The excerpt basket: passages picked from searches and documents, kept in this
// browser's localStorage (nothing is stored on the server, no login), ordered,
// annotated, and exported through POST /basket/export.
"use strict";

const BASKET_KEY = "atkb.basket.v1";
const BASKET_LIMIT = 500; // the server refuses larger baskets

function loadBasket() {
  try {
    const items = JSON.parse(localStorage.getItem(BASKET_KEY) || "[]");
    return Array.isArray(items) ? items.filter((item) => item && typeof item.passage_id === "string") : [];
  } catch (error) {
    return []; // a damaged entry should not break the page
  }
}

function saveBasket(items) {
  localStorage.setItem(BASKET_KEY, JSON.stringify(items));
  showCounts(items);
}

function showCounts(items) {
  document.querySelectorAll(".basket-count").forEach((count) => {
    count.textContent = items.length ? "(" + items.length + ")" : "";
  });
}

// --- "Add to basket" buttons on search results and document pages ---------

function labelAddButton(button, items) {
  const inBasket = items.some((item) => item.passage_id === button.dataset.passageId);
  button.textContent = inBasket ? "In basket ✓ (remove)" : "Add to basket";
  button.setAttribute("aria-pressed", inBasket ? "true" : "false");
}

function toggleInBasket(button) {
  const items = loadBasket();
  const id = button.dataset.passageId;
  const kept = items.filter((item) => item.passage_id !== id);
  if (kept.length === items.length) {
    if (items.length >= BASKET_LIMIT) {
      button.textContent = "Basket full (" + BASKET_LIMIT + ")";
      return;
    }
    kept.push({
      passage_id: id, citation: button.dataset.citation, text: button.dataset.text,
      link: new URL(button.dataset.link, location.href).href, note: "",
    });
  }
  saveBasket(kept);
  labelAddButtons();
}

function labelAddButtons() {
  const items = loadBasket();
  document.querySelectorAll("button.basket-add").forEach((button) => labelAddButton(button, items));
}

function setUpAddButtons() {
  document.querySelectorAll("button.basket-add").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => toggleInBasket(button));
  });
  labelAddButtons();
}

// --- the basket page --------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function moveItem(index, step) {
  const items = loadBasket();
  const target = index + step;
  if (target < 0 || target >= items.length) return;
  [items[index], items[target]] = [items[target], items[index]];
  saveBasket(items);
  renderBasket();
  const moved = document.querySelectorAll(".basket-item")[target];
  if (moved) moved.querySelector(step < 0 ? ".move-up" : ".move-down").focus();
}

function removeItem(index) {
  const items = loadBasket();
  items.splice(index, 1);
  saveBasket(items);
  renderBasket();
}

function noteChanged(index, value) {
  const items = loadBasket();
  if (!items[index]) return;
  items[index].note = value;
  saveBasket(items);
}

function basketItem(item, index, count) {
  const li = element("li", "basket-item");
  li.dataset.passageId = item.passage_id;
  li.append(element("blockquote", "basket-text", item.text || item.passage_id));
  const source = element("p", "basket-citation", (item.citation || item.passage_id) + " ");
  if (item.link) {
    const open = element("a", "", "open");
    open.href = item.link;
    source.append(open);
  }
  const label = element("label", "basket-note", "Note ");
  const note = element("textarea");
  note.rows = 2;
  note.maxLength = 4000;
  note.value = item.note || "";
  note.addEventListener("input", () => noteChanged(index, note.value));
  label.append(note);
  const buttons = element("div", "basket-buttons");
  [["move-up", "↑ Up", () => moveItem(index, -1), index === 0],
   ["move-down", "↓ Down", () => moveItem(index, 1), index === count - 1],
   ["remove", "Remove", () => removeItem(index), false]].forEach(([name, text, action, disabled]) => {
    const button = element("button", name, text);
    button.type = "button";
    button.disabled = disabled;
    button.addEventListener("click", action);
    buttons.append(button);
  });
  li.append(source, label, buttons);
  return li;
}

function renderBasket() {
  const page = document.querySelector("main.basket");
  if (!page) return;
  const items = loadBasket();
  const list = page.querySelector(".basket-items");
  list.replaceChildren(...items.map((item, index) => basketItem(item, index, items.length)));
  page.querySelector(".basket-empty").hidden = items.length > 0;
  page.querySelector(".basket-export").hidden = items.length === 0;
}

function downloadName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(header);
  return match ? match[1] : fallback;
}

async function exportBasket(form) {
  const status = form.querySelector(".basket-status");
  const format = form.elements.format.value;
  const items = loadBasket().map((item) => ({ passage_id: item.passage_id, note: item.note || "" }));
  status.textContent = "Preparing the file…";
  const response = await fetch(form.dataset.action, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ items, format }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ error: response.statusText }));
    status.textContent = "Export failed: " + problem.error;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = element("a");
  link.href = url;
  link.download = downloadName(response, "atkb-basket." + format);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  status.textContent = "Exported " + items.length + " passages.";
}

function setUpBasketPage() {
  const page = document.querySelector("main.basket");
  if (!page) return;
  page.querySelector(".needs-script").hidden = true;
  page.querySelector(".basket-help").hidden = false;
  const form = page.querySelector(".basket-export");
  form.dataset.action = page.dataset.exportUrl;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    exportBasket(form).catch((error) => {
      form.querySelector(".basket-status").textContent = "Export failed: " + error.message;
    });
  });
  page.querySelector(".clear-basket").addEventListener("click", () => {
    saveBasket([]);
    renderBasket();
  });
  renderBasket();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpAddButtons();
  setUpBasketPage();
  showCounts(loadBasket());
  // Another tab changed the basket: show the same basket here.
  window.addEventListener("storage", (event) => {
    if (event.key !== BASKET_KEY) return;
    labelAddButtons();
    showCounts(loadBasket());
    renderBasket();
  });
});

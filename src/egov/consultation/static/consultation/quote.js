// The draft page's two helps, over a page that works without them (CSP: no inline script).
// 1. Choosing the words to comment on: selecting text inside one clause's text fills the
//    comment form's "quoted words" field and chooses that clause; the server finds the words in
//    the clause (services.comments._find), as it does when they are typed.
// 2. A long draft is shown a chapter at a time: an old link to a unit's #anchor that is on
//    another chapter's page (the fragment never reaches the server) goes to ?on=<anchor>, the
//    page of the chapter holding it.
const paged = document.querySelector("[data-egov-paged]");
const wanted = decodeURIComponent(window.location.hash.slice(1));
const here = new URL(window.location.href);
// Once only: a unit that is in no chapter (gone from the draft) stays on the page it is sent to.
if (
  paged &&
  /^(dieu|chuong)-/.test(wanted) &&
  !document.getElementById(wanted) &&
  here.searchParams.get("on") !== wanted
) {
  here.search = "?on=" + encodeURIComponent(wanted);
  window.location.replace(here.toString());
}

const quote = document.getElementById("quote");
const anchor = document.getElementById("anchor");

function clauseOf(node) {
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  return element ? element.closest("[data-egov-quote]") : null;
}

function choose() {
  const selection = window.getSelection();
  if (!quote || !selection || selection.isCollapsed) return;
  const clause = clauseOf(selection.anchorNode);
  if (!clause || clause !== clauseOf(selection.focusNode)) return;
  const words = selection.toString().split(/\s+/).filter(Boolean).join(" ");
  if (!words) return;
  const unit = clause.getAttribute("data-egov-quote");
  if (anchor && Array.from(anchor.options).some((option) => option.value === unit)) {
    anchor.value = unit;
  }
  quote.value = words;
}

if (quote) {
  document.addEventListener("mouseup", choose);
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey) choose();
  });
}

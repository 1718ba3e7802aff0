// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:afterSwap", (event) => {
  // After a search updates results, announce nothing extra but keep focus where the person typed.
  const status = event.target.querySelector("[role=status]");
  if (status) status.setAttribute("aria-live", "polite");
});

// The main menu's groups (Growth, ...): disclosure buttons that show and hide their list of links.
// One group is open at a time; Escape, a click elsewhere or moving focus out of the group closes it.
(() => {
  const buttons = Array.from(document.querySelectorAll(".nav-disclosure"));
  const listOf = (button) => document.getElementById(button.getAttribute("aria-controls"));
  const setOpen = (button, open) => {
    button.setAttribute("aria-expanded", String(open));
    listOf(button).hidden = !open;
  };
  for (const button of buttons) {
    const group = button.parentElement;
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      for (const other of buttons) if (other !== button) setOpen(other, false);
      setOpen(button, open);
    });
    group.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !group.contains(event.relatedTarget)) setOpen(button, false);
    });
  }
  // On a phone the whole menu folds behind one button (the CSS shows it only on narrow screens).
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  const menuOpen = () => toggle && toggle.getAttribute("aria-expanded") === "true";
  if (toggle) toggle.addEventListener("click", () => toggle.setAttribute("aria-expanded", String(!menuOpen())));
  // Escape closes the open group first, then the phone's menu, and leaves focus on the button that opened it.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    let closedGroup = false;
    for (const button of buttons) {
      if (button.getAttribute("aria-expanded") !== "true") continue;
      const hadFocus = button.parentElement.contains(document.activeElement);
      setOpen(button, false);
      closedGroup = true;
      if (hadFocus) button.focus();
    }
    if (closedGroup || !menuOpen()) return;
    const hadFocus = menu.contains(document.activeElement) || toggle === document.activeElement;
    toggle.setAttribute("aria-expanded", "false");
    if (hadFocus) toggle.focus();
  });
  document.addEventListener("click", (event) => {
    for (const button of buttons) if (!button.parentElement.contains(event.target)) setOpen(button, false);
    if (menuOpen() && !menu.contains(event.target) && !toggle.contains(event.target)) {
      toggle.setAttribute("aria-expanded", "false");
    }
  });
})();

// The confirm step (core/confirm.py): htmx appends its <dialog> to the page; show it as a modal with
// "Cancel" focused, and on closing (Cancel, Escape) remove it and give focus back to the button that
// opened it. Without JavaScript the same link opens the confirm page instead.
(() => {
  let opener = null;
  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[aria-haspopup=dialog][hx-get]");
    if (trigger) opener = trigger;
    const cancel = event.target.closest("[data-confirm-cancel]");
    if (cancel) cancel.closest("dialog").close();
  });
  document.addEventListener("htmx:load", (event) => {
    const dialog = event.target.matches?.("dialog[data-confirm-dialog]")
      ? event.target
      : event.target.querySelector?.("dialog[data-confirm-dialog]");
    if (!dialog || dialog.open) return;
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener) opener.focus();
    });
    dialog.showModal();
  });
})();

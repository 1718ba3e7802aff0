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
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const button of buttons) {
      if (button.getAttribute("aria-expanded") !== "true") continue;
      const hadFocus = button.parentElement.contains(document.activeElement);
      setOpen(button, false);
      if (hadFocus) button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    for (const button of buttons) if (!button.parentElement.contains(event.target)) setOpen(button, false);
  });
})();

// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:afterSwap", (event) => {
  // After a search updates results, announce nothing extra but keep focus where the person typed.
  const status = event.target.querySelector("[role=status]");
  if (status) status.setAttribute("aria-live", "polite");
});

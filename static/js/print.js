// A "Skriv ut" button (data-print) opens the browser's print dialog; without script the
// button stays hidden and the browser's own print command works the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

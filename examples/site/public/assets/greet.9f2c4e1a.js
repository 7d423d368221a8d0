// A fingerprinted bundle: its name changes whenever its bytes do, so it is cached for a year.
export function greet(now) {
  return `The JavaScript module ran at ${now.toLocaleTimeString()}.`;
}

export function countClicks(button) {
  let clicks = 0;
  button.disabled = false;
  button.addEventListener("click", () => {
    clicks += 1;
    button.textContent = `clicked ${clicks} time${clicks === 1 ? "" : "s"}`;
  });
}

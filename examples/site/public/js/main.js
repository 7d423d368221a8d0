// The page's entry module: revalidated on every visit, it imports the fingerprinted bundle.
import { countClicks, greet } from "/assets/greet.9f2c4e1a.js";

const status = document.getElementById("js-status");
if (status) {
  status.textContent = greet(new Date());
  status.classList.add("ran");
}
const button = document.getElementById("counter");
if (button) {
  countClicks(button);
}

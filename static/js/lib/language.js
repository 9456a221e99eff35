// The language menu in the top bar: the choice is saved in the browser (a cookie the server reads, so the
// next page opens in it too) and put in the address, so a copied link opens in the same language.
const COOKIE = "hillside_lang";
const YEAR = 365 * 24 * 3600;

function choose(code) {
  document.cookie = `${COOKIE}=${encodeURIComponent(code)}; path=/; max-age=${YEAR}; samesite=lax`;
  try {
    localStorage.setItem(COOKIE, code);
  } catch {
    // storage may be off (private mode): the cookie and the URL still carry the choice
  }
  const url = new URL(window.location.href);
  url.searchParams.set("lang", code);
  window.location.assign(url.toString());
}

const menu = document.getElementById("language");
if (menu) menu.addEventListener("change", () => choose(menu.value));

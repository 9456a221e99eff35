// Rooms as the server offers them (docs/websocket.md, "Rooms"): creating and ending one over REST, the
// websocket addresses of lecturer and follower, and where a page keeps what it needs across reloads.
// The lecturer's token lives in sessionStorage: a reload (or the next page of the lecture, in the same tab)
// keeps the room, another tab or browser does not get its controls.

const STORE = "hillside.room";
// The server's alphabet has no 0/O/1/I; people type codes in any case, with spaces or dashes.
const CODE = /^[A-Z2-9]{6}$/;

/** A code as the server writes it: upper case, no spaces or dashes; null when it cannot be one. */
export function normaliseCode(text) {
  const code = String(text ?? "").toUpperCase().replace(/[\s-]+/g, "");
  return CODE.test(code) ? code : null;
}

function scheme() {
  return window.location.protocol === "https:" ? "wss:" : "ws:";
}

export function lecturerSocket(room) {
  return `${scheme()}//${window.location.host}/ws/rooms/${room.code}?token=${encodeURIComponent(room.token)}`;
}

export function followerSocket(code) {
  return `${scheme()}//${window.location.host}/ws/rooms/${code}`;
}

export function plainSocket() {
  return `${scheme()}//${window.location.host}/ws`;
}

/** The lecturer's room of this tab: {code, token, url, qr}, or null. */
export function storedRoom() {
  try {
    const room = JSON.parse(window.sessionStorage.getItem(STORE) ?? "null");
    return room && normaliseCode(room.code) && typeof room.token === "string" ? room : null;
  } catch {
    return null;
  }
}

export function storeRoom(room) {
  try {
    if (room) window.sessionStorage.setItem(STORE, JSON.stringify(room));
    else window.sessionStorage.removeItem(STORE);
  } catch {
    /* private mode without storage: the room lasts as long as the page */
  }
}

async function answer(response) {
  if (response.ok) return response.status === 204 ? null : response.json();
  let detail = response.statusText;
  try {
    detail = (await response.json()).detail ?? detail;
  } catch {
    /* keep the status text */
  }
  const error = new Error(typeof detail === "string" ? detail : response.statusText);
  error.status = response.status;
  throw error;
}

/** POST /api/v1/rooms: {code, token, url, qr, idle_seconds}; throws the server's sentence. */
export async function createRoom() {
  const response = await fetch("/api/v1/rooms", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: "{}",
  });
  return answer(response);
}

/** GET /api/v1/rooms/{code}: {code, followers, lecturer_connected, page, question}; throws (status 404) when not live. */
export async function roomInfo(code) {
  return answer(await fetch(`/api/v1/rooms/${code}`, { headers: { accept: "application/json" } }));
}

export async function endRoom(room) {
  const response = await fetch(`/api/v1/rooms/${room.code}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${room.token}` },
  });
  if (response.status !== 404) await answer(response);
}

/** The code a page was opened to follow (`?room=CODE`), or null. */
export function followedCode(search = window.location.search) {
  return normaliseCode(new URLSearchParams(search).get("room"));
}

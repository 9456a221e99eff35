// A keyed sentence from the server ({key, args}, as a run's end: message_key and message_args) in the page's
// language: nested sentences first (the reason inside "Stalled after 3 steps: {why}."), then the catalogue's
// words with the numbers through num(). A key the catalogue lacks falls back to the server's English message.
import { has, t } from "./messages.js";

function isSentence(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.key === "string";
}

function known(sentence) {
  if (!has(sentence.key)) return false;
  return Object.values(sentence.args ?? {}).every((value) =>
    isSentence(value) ? known(value) : Array.isArray(value) ? value.every((v) => !isSentence(v) || known(v)) : true,
  );
}

function resolved(value) {
  if (isSentence(value)) return say(value);
  if (Array.isArray(value)) return value.map(resolved);
  return value;
}

/** The sentence in the page's language (every key it names must be in the catalogue). */
export function say(sentence) {
  const values = {};
  for (const [name, value] of Object.entries(sentence.args ?? {})) values[name] = resolved(value);
  return t(sentence.key, values);
}

/** A run's end in the page's language from its key and arguments, or `english` when the page cannot say it. */
export function sayOr(key, args, english) {
  if (!key) return english ?? "";
  const sentence = { key, args: args ?? {} };
  return known(sentence) ? say(sentence) : english ?? "";
}

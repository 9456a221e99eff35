// The 1D page's scenes come from the server (app/scenes/one_d.py), where each caption's claims are checked.
// Names and captions are in the message catalogue under scene.<id>.name and scene.<id>.caption.
import { scenesOf } from "../lib/lecture.js";

export const SCENES = scenesOf("1d");

export const DEFAULTS = { fn: "quadratic", runs: [{ optimizer: "gd", hyperparameters: { lr: 0.1 }, changes: [] }], speed: 2 };

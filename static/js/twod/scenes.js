// The 2D page's scenes come from the server (app/scenes/two_d.py), where each caption's claims are checked.
// Names and captions are in the message catalogue under scene.<id>.*.
import { scenesOf } from "../lib/lecture.js";

export const SCENES = scenesOf("2d");

export const DEFAULTS = { fn: "bowl", runs: [{ optimizer: "gd", hyperparameters: { lr: 0.1 }, changes: [] }], speed: 30 };

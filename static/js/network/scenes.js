// The network page's scenes come from the server (app/scenes/network.py), where each caption's claims are
// checked; each state is complete and says how many steps to train (`limit`). Texts: scene.<id>.* in the catalogue.
import { scenesOf } from "../lib/lecture.js";

export const SCENES = scenesOf("network");

export const DEFAULTS = {
  dataset: "xor",
  hidden: "4",
  activation: "tanh",
  loss: "cross_entropy",
  init: "xavier_he",
  batch: 0,
  optimizer: "adam",
  lr: 0.03,
  compare: "none",
  view: "training",
  speed: 30,
};

// The learning rate a schedule gives update t (0 for the first), exactly as app/optimizers/schedules.py
// computes it (torch.optim.lr_scheduler's StepLR, ExponentialLR, CosineAnnealingLR): for views that must
// speak of the step about to be taken, whose frame has not arrived yet.

/** `schedule` as the server's `started` gives it ({kind, gamma, step_size, t_max, eta_min}); none is constant. */
export function scheduledLr(schedule, lr, t) {
  switch (schedule?.kind ?? "constant") {
    case "step":
      return lr * schedule.gamma ** Math.floor(t / schedule.step_size);
    case "exponential":
      return lr * schedule.gamma ** t;
    case "cosine":
    case "cosine_hold": {
      const s = schedule.kind === "cosine_hold" ? Math.min(t, schedule.t_max) : t;
      return schedule.eta_min + ((lr - schedule.eta_min) * (1 + Math.cos((Math.PI * s) / schedule.t_max))) / 2;
    }
    default:
      return lr;
  }
}

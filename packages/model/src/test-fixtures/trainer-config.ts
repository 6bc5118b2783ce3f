import { linear } from '@hetmtl/encoders';
import type { TrainerConfig } from '../dual/trainer.js';

/** A small linear/linear trainer configuration (K0 = 2, K1 = 1) for the objective's tests, with overrides. */
export const trainerConfig = (o: Partial<TrainerConfig> = {}): TrainerConfig => ({
  shared: linear(),
  specific: linear(),
  K0: 2,
  K1: 1,
  mu: 0.5,
  omega: 1,
  tau: 0.1,
  nu: 0.1,
  ridge: 1e-3,
  taskWeights: 'size',
  learningRate: 0.05,
  stepsPerBlock: 5,
  ...o,
});

/** Internal pieces for the bench (fixed-work timing of the fit); not a stable API. */
export { buildCoefficientProblem, DualTrainer, type TrainerConfig } from './trainer.js';

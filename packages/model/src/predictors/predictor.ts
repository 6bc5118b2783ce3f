/** The coefficients of a fitted model, per task (for the linear model, on standardised features). */
export interface TaskCoefficients {
  readonly beta: number[][];
  readonly gamma: number[][];
  readonly intercept: number[];
}

/**
 * What model selection hands to the estimator: a fitted predictor on the standardised scale. The
 * dual-encoder predictor and the linear MTL floor both implement it, so the estimator never asks
 * which one it holds.
 */
export interface TaskPredictor {
  readonly kind: 'dual' | 'linear' | 'blend';
  readonly numTasks: number;
  /** Predictions (standardised scale) for standardised rows of task r (row-major n × p). */
  predict(r: number, X: Float64Array): Float64Array;
  coefficients(): TaskCoefficients;
  /** The document part of this predictor (JSON-safe). */
  toJSON(): unknown;
  dispose(): void;
}

import { predictLinear } from '@hetmtl/tensor';
import type { TaskCoefficients, TaskPredictor } from './predictor.js';

export interface LinearJSON {
  readonly beta: number[][];
  readonly intercept: number[];
}

/** The linear MTL floor as a predictor: c_r + x β_r on standardised features. */
export class LinearPredictor implements TaskPredictor {
  readonly kind = 'linear' as const;

  constructor(
    readonly beta: readonly Float64Array[],
    readonly intercept: Float64Array,
  ) {}

  get numTasks(): number {
    return this.beta.length;
  }

  predict(r: number, X: Float64Array): Float64Array {
    const b = this.beta[r];
    return predictLinear(
      X,
      new Float64Array(0),
      X.length / b.length,
      b,
      new Float64Array(0),
      this.intercept[r],
    );
  }

  coefficients(): TaskCoefficients {
    return {
      beta: this.beta.map((b) => Array.from(b)),
      gamma: this.beta.map(() => []),
      intercept: Array.from(this.intercept),
    };
  }

  /** This predictor with one more task. */
  withTask(beta: Float64Array, intercept: number): LinearPredictor {
    return new LinearPredictor(
      [...this.beta, beta],
      Float64Array.from([...this.intercept, intercept]),
    );
  }

  toJSON(): LinearJSON {
    return { beta: this.beta.map((b) => Array.from(b)), intercept: Array.from(this.intercept) };
  }

  dispose(): void {}
}

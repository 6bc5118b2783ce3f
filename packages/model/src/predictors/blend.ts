import type { DualStateJSON, FittedDual } from './dual.js';
import type { LinearJSON, LinearPredictor } from './linear.js';
import type { TaskCoefficients, TaskPredictor } from './predictor.js';

/** One component of a blend in the model document. */
export interface BlendComponentJSON {
  readonly weight: number;
  /** The component's candidate id (as in the document's candidates). */
  readonly candidate: string;
  readonly kind: 'dual' | 'linear';
  readonly dual: DualStateJSON | null;
  readonly linear: LinearJSON | null;
}

export interface BlendJSON {
  readonly components: BlendComponentJSON[];
}

/** A component of a {@link BlendPredictor}: a fitted candidate and its weight. */
export interface BlendPart {
  readonly weight: number;
  readonly candidate: string;
  readonly predictor: FittedDual | LinearPredictor;
}

/**
 * Model averaging (selection.average): Σ_m a_m f_m(x) over the candidates refitted on every row,
 * a ≥ 0 and Σ a = 1 the stacking weights of their validation predictions (selection/blend.ts). The
 * first part is the heaviest: its coefficients, λ and groups stand for the blend where one set is
 * asked for.
 */
export class BlendPredictor implements TaskPredictor {
  readonly kind = 'blend' as const;

  constructor(readonly parts: readonly BlendPart[]) {
    if (parts.length === 0) throw new RangeError('A blend needs a component');
  }

  get numTasks(): number {
    return this.parts[0].predictor.numTasks;
  }

  predict(r: number, X: Float64Array): Float64Array {
    let out: Float64Array | null = null;
    for (const { weight, predictor } of this.parts) {
      const p = predictor.predict(r, X);
      if (out === null) out = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) out[i] = out[i] + weight * p[i];
    }
    return out as Float64Array;
  }

  /** The heaviest component's coefficients. */
  coefficients(): TaskCoefficients {
    return this.parts[0].predictor.coefficients();
  }

  toJSON(): BlendJSON {
    return {
      components: this.parts.map(({ weight, candidate, predictor }) => ({
        weight,
        candidate,
        kind: predictor.kind,
        dual: predictor.kind === 'dual' ? (predictor.toJSON() as DualStateJSON) : null,
        linear: predictor.kind === 'linear' ? (predictor.toJSON() as LinearJSON) : null,
      })),
    };
  }

  dispose(): void {
    for (const p of this.parts) p.predictor.dispose();
  }
}

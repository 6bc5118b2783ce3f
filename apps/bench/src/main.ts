#!/usr/bin/env node
import { conformanceTable } from './conformance.js';
import { methodDemo } from './method-demo.js';
import { methodSpeed, speedWorker } from './method-speed.js';
import { mlpSpeed } from './mlp-speed.js';

const USAGE = `usage: hetmtl-bench <command> [--quick] [--verbose] [--backend wasm|cpu|tfjs-node|native]

commands:
  demo          fit the method on the default factor simulation: per-task RMSE next to per-task
                ridge, the learned and the true groups
  conformance   run the backend conformance suite on every backend and print the table
  mlp-speed     time an MLP training loop on each backend (ratios to cpu in the same run)
  speed         time the method's fit at fixed work on each backend next to the same algorithm in
                PyTorch (1 thread, apps/bench/peers/method_torch.py): ms per Adam step, s per fit,
                peak RSS, ratios to PyTorch; scaling with R and n_r; kernels per Adam step
                (--no-scaling skips the scaling tables; --backend limits the backends)
  all           everything above

  --quick       tiny sizes (for CI: checks the commands run, not their numbers)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const quick = rest.includes('--quick');
  const verbose = rest.includes('--verbose');
  const backendAt = rest.indexOf('--backend');
  const backend = backendAt >= 0 ? rest[backendAt + 1] : undefined;
  if (command === 'speed-worker') {
    await speedWorker(rest[0] as string);
    return 0;
  }
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const commands: Record<string, () => Promise<boolean>> = {
    demo: () => methodDemo({ quick, ...(backend ? { backend } : {}) }),
    conformance: () => conformanceTable({ verbose }),
    'mlp-speed': async () => {
      await mlpSpeed(quick ? { n: 200, p: 20, hidden: 8, steps: 5, cpuSteps: 2 } : {});
      return true;
    },
    speed: () =>
      methodSpeed({
        quick,
        noScaling: rest.includes('--no-scaling'),
        ...(backend ? { backends: [backend] } : {}),
      }),
  };
  if (command === 'all') {
    let ok = true;
    for (const run of Object.values(commands)) ok = (await run()) && ok;
    return ok ? 0 : 1;
  }
  const run = commands[command];
  if (!run) {
    console.error(
      `hetmtl-bench: unknown command "${command}". Run hetmtl-bench --help for the list.`,
    );
    return 2;
  }
  return (await run()) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

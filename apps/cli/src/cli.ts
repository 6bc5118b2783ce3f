import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_NAMES, DEFAULT_BACKEND, DESIGNS, FORMATS, VERSION } from './choices.js';
import { EXIT, oneLine, verboseDetails } from './errors.js';
import { consoleOutput } from './output.js';
import { parse } from './parsers.js';

// Commands are loaded when they run: `--help` and usage errors never load TensorFlow.js.

interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend')
    .choices(BACKEND_NAMES as string[])
    .default(DEFAULT_BACKEND);

const formatOption = () =>
  new Option(
    '--format <format>',
    'file format (default: from the extension, else sniffed)',
  ).choices(FORMATS as string[]);

const delimiterOption = () =>
  new Option(
    '--delimiter <char>',
    'CSV delimiter: one character, "\\t" for a tab (default "," or tab for .tsv)',
  ).argParser(parse.delimiter);

const unseenLevelsOption = () =>
  new Option(
    '--unseen-levels <policy>',
    'a category not seen in training: error, or zero (all-zero encoding, reported); default: as fitted',
  ).choices(['error', 'zero']);

/** The options of the commands that read a file with a saved model (predict, evaluate, add-task). */
const withReadOptions = (cmd: Command): Command =>
  cmd
    .addOption(unseenLevelsOption())
    .addOption(backendOption())
    .addOption(formatOption())
    .addOption(delimiterOption());

/** A command's flags (with the global ones) and its output, the last arguments of every command. */
const commandFlags = (cmd: Command): [never, ReturnType<typeof consoleOutput>] => {
  const flags = cmd.optsWithGlobals();
  return [flags as never, consoleOutput(flags as GlobalFlags)];
};

/** Options of fit and demo that tune the model (and make tests fast). */
function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'seed of the split, the fit and the baselines', parse.int(0), 0)
    .option('--quick', 'small, fast settings (3 rounds, 8 λ values): seconds, for a first look')
    .option('--max-rounds <n>', 'rounds of the encoder phase at most (default 30)', parse.int(0))
    .option('--num-lambdas <n>', 'points on the λ path (default 20)', parse.int(1))
    .option('--k0 <n>', 'shared factors K0 (default 4)', parse.int(1))
    .option('--k1 <n>', 'task-specific factors K1 (default 2; 0 for none)', parse.int(0))
    .addOption(
      new Option('--encoder <kind>', 'encoders: linear (default) or mlp').choices([
        'linear',
        'mlp',
      ]),
    )
    .option(
      '--hidden <sizes>',
      'hidden layer widths of mlp encoders, e.g. 32 or 32,16',
      parse.intList,
    )
    .option(
      '--lambda <value>',
      'fusion strength λ: "path" (default: chosen on a path), a number, or "inf"',
      parse.lambda,
    )
    .option('--no-linear-floor', 'leave the closed-form linear MTL model out of model selection')
    .option('--no-trunk', 'leave the shared-trunk candidate (an mlp under one common head) out')
    .option(
      '--no-average',
      'keep the best candidate alone instead of averaging the candidates (stacking weights on their validation predictions)',
    )
    .option(
      '--jobs <n>',
      `worker threads for model selection, each with its own backend (default: the cores, ${availableParallelism()} here; 1: on the main thread); the result is the same for every n`,
      parse.int(1),
    );
}

/** Builds the command-line program. `run` parses and executes. */
export function buildProgram(state: { command?: string }): Command {
  const program = new Command('hetmtl')
    .description(
      'Multi-task regression for heterogeneous data: shared and task-specific encoders with coefficient-similarity fusion (Sui, Xu, Bai & Qu, arXiv:2505.24281).',
    )
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('-q, --quiet', 'no progress bar or status lines on stderr')
    .option('--verbose', 'stack traces on errors')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .hook('preSubcommand', (_this, sub) => {
      state.command = sub.name();
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure (bad data or model file), 2 usage error, 130 interrupted (Ctrl-C).

Examples:
  hetmtl demo                                   the method on the default simulation, no files needed
  hetmtl simulate --out data.csv                a simulated dataset (5 tasks, 100 features)
  hetmtl fit data.csv --task task --target y --out model.json
  hetmtl predict model.json new.csv --out preds.csv
  hetmtl evaluate model.json test.csv
  hetmtl info model.json
  hetmtl add-task model.json new.csv --task new --out model2.json`,
    );

  const sub = (name: string) =>
    program
      .command(name)
      .exitOverride()
      .configureOutput({ outputError: () => {} })
      .showSuggestionAfterError(true);

  addModelOptions(
    sub('fit')
      .description(
        'fit a model to a CSV, TSV, JSON or Arrow file, with model selection; print per-task RMSE and R² next to per-task and pooled ridge, the learned task groups, and save the model',
      )
      .argument(
        '<file>',
        'training data: one row per observation, a task column and a target column',
      )
      .requiredOption('--task <column>', 'the column naming each row’s task')
      .requiredOption('--target <column>', 'the response column')
      .option(
        '--features <columns>',
        'feature columns, comma-separated (default: all others)',
        parse.list,
      )
      .option(
        '--exclude <columns>',
        'columns to leave out of the default features (an ID)',
        parse.list,
      )
      .option(
        '--categorical <columns>',
        'feature columns holding categories, one-hot encoded (text columns are by default)',
        parse.list,
      )
      .option(
        '--numeric <columns>',
        'feature columns read as numbers even if they hold text (a text cell is then an error)',
        parse.list,
      )
      .addOption(
        new Option('--missing <policy>', 'missing values: error, drop-rows or mean-impute')
          .choices(['error', 'drop-rows', 'mean-impute'])
          .default('error'),
      )
      .option(
        '--na-values <tokens>',
        'cells read as missing values (default: empty, NA, N/A, NaN, ".", null, NULL)',
        parse.tokens,
      )
      .addOption(
        new Option(
          '--unseen-levels <policy>',
          'a category not seen in training, at predict time: error (default) or zero (all-zero encoding, reported)',
        ).choices(['error', 'zero']),
      )
      .option(
        '--strict',
        'refuse tasks with a constant target or too few rows to split (default: fit them, marked in the report)',
      )
      .option(
        '--test <share>',
        'share of each task held out for the report (0: none)',
        parse.fraction(true),
        0.2,
      )
      .option(
        '--repeats <n>',
        'also fit every learner on n more stratified splits (seeded from --seed): test RMSE mean ± sd over the splits, and paired wins of hetmtl against each baseline',
        parse.int(2),
      )
      .option('-o, --out <path>', 'where to save the model (written atomically)', 'model.json')
      .option(
        '--top <n>',
        'many tasks: the per-task table shows every task up to 20, else the 10 best and 10 worst; --top n shows n of each, --top all every task',
        parse.top,
      )
      .option('--no-save', 'do not save the model')
      .option(
        '--no-refit',
        'save the model scored in the report (fitted on the training rows) instead of refitting the chosen candidate on every row',
      )
      .addOption(backendOption())
      .addOption(formatOption())
      .addOption(delimiterOption())
      .option(
        '--max-features <k>',
        'keep the k most variable numeric feature columns (variance over the training rows; categorical columns are kept)',
        parse.int(1),
      )
      .addOption(
        new Option(
          '--skew <mode>',
          "skewed non-negative numeric columns (skewness > 2, more than 2 values): auto (log1p when it lowers pooled ridge's validation RMSE on the training rows), log1p, or off",
        )
          .choices(['auto', 'log1p', 'off'])
          .default('auto'),
      )
      .option(
        '--log-target',
        'fit log(target) for a positive, right-skewed response; predictions are exp of the fitted log (the conditional median), every score on the original scale',
      )
      .addOption(
        new Option(
          '--family <family>',
          'the response: gaussian (default), binomial (0/1 or a two-level text target such as Y/N, logit link) or poisson (counts, log link)',
        ).choices(['gaussian', 'binomial', 'poisson']),
      )
      .option(
        '--positive <level>',
        'binomial: the level of a two-level target read as 1 (default: the second level in sorted order, e.g. Y of N/Y)',
      )
      .option(
        '--weights <column>',
        'a column of row weights (finite, ≥ 0; every family): a weighted deviance in the fit and weighted metrics; not a feature',
      )
      .option(
        '--offset <column>',
        'poisson: a column of offsets on the log scale (the log exposure of each row); not a feature',
      )
      .option(
        '--exposure <column>',
        'poisson: a column of exposures > 0 (person-years, expected counts); its log is the offset; not a feature',
      )
      .option(
        '--trials <column>',
        'binomial with the number of successes as --target: the column of trials of each row (fitted as successes / trials, weighted by the trials)',
      ),
  )
    .addHelpText(
      'after',
      `
The model is fitted on the training rows; the held-out rows (--test, stratified by task, seeded by
--seed) score it next to per-task ridge and pooled ridge fitted on the same rows. Then the chosen
candidate (its settings, rounds and λ; no selection again) is refitted on every row and saved, so
predict uses all the data; --no-refit saves the model the report scored. Ctrl-C stops the fit and
writes nothing.

--json: one document; a number that is not finite is null (a score with no rows to score), and
λ = ∞ (one common β for every task) is "lambda": null with "lambdaInfinite": true.

Example:
  hetmtl fit school.csv --task school --target score --out school.model.json`,
    )
    .action(async (file: string, _o, cmd: Command) => {
      await (await import('./commands/fit.js')).fitCommand(file, ...commandFlags(cmd));
    });

  withReadOptions(sub('predict'))
    .description('predict every row of a file with a saved model (rows keep their order)')
    .argument('<model>', 'a model file written by hetmtl fit')
    .argument('<file>', 'rows to predict: the task column and the training feature columns')
    .option(
      '-o, --out <path>',
      'write a CSV (the input columns and a prediction column); default: stdout',
    )
    .option('--column <name>', 'name of the prediction column', 'prediction')
    .addOption(
      new Option(
        '--type <type>',
        'response (default: the value, probability or expected count), link (log-odds / log of the mean, offset included) or class (binomial: 0/1 at probability 0.5, the level names of a text target)',
      ).choices(['response', 'link', 'class']),
    )
    .addHelpText(
      'after',
      `
Rows are encoded with the training encoding stored in the model file: a task the model was not
fitted on, a missing feature column or an unseen category is an error.

Example:
  hetmtl predict model.json new.csv --out preds.csv`,
    )
    .action(async (model: string, file: string, _o, cmd: Command) => {
      await (await import('./commands/predict.js')).predictCommand(
        model,
        file,
        ...commandFlags(cmd),
      );
    });

  withReadOptions(sub('evaluate'))
    .description(
      'per-task and overall metrics of a saved model on a file with the target: RMSE, MAE and R² (gaussian); log loss, Brier, AUC and accuracy (binomial); mean deviance, RMSE and MAE (poisson)',
    )
    .argument('<model>', 'a model file written by hetmtl fit')
    .argument('<file>', 'rows with the task, feature and target columns')
    .option(
      '--top <n>',
      'many tasks: the table shows every task up to 20, else the 10 of highest and 10 of lowest R²; --top n shows n of each, --top all every task',
      parse.top,
    )
    .option(
      '--weights <column>',
      'weigh the metrics by this column (finite, ≥ 0); a model fitted with --trials reads its trials column itself',
    )
    .addHelpText('after', '\nExample:\n  hetmtl evaluate model.json test.csv --json')
    .action(async (model: string, file: string, _o, cmd: Command) => {
      await (await import('./commands/evaluate.js')).evaluateCommand(
        model,
        file,
        ...commandFlags(cmd),
      );
    });

  withReadOptions(sub('add-task'))
    .description(
      "add a new task to a saved model (the model's addTask): the shared encoder and the fitted tasks stay as they are; the new task's coefficients are pulled toward the nearest learned group",
    )
    .argument('<model>', 'a model file written by hetmtl fit')
    .argument(
      '<file>',
      "the new task's rows: the training feature columns and the target (a task column, if any, naming the new task in every row)",
    )
    .requiredOption('--task <name>', 'the name of the new task (what predict will call it)')
    .option('--target <column>', "the new task's response column (default: the model's target)")
    .requiredOption(
      '-o, --out <path>',
      'where to write the model with the new task (written atomically)',
    )
    .addHelpText(
      'after',
      `
The rows are read with the model's encoding (its feature columns, categorical levels and missing
values), so a missing feature column or an unseen category is an error, as in predict. The new task
needs at least 2 rows.

Example:
  hetmtl add-task model.json school140.csv --task 140 --target score --out model2.json`,
    )
    .action(async (model: string, file: string, _o, cmd: Command) => {
      await (await import('./commands/add-task.js')).addTaskCommand(
        model,
        file,
        ...commandFlags(cmd),
      );
    });

  sub('info')
    .description('tasks, groups, options, columns and preprocessing of a saved model')
    .argument('<model>', 'a model file written by hetmtl fit')
    .addHelpText('after', '\nExample:\n  hetmtl info model.json')
    .action(async (model: string, _o, cmd: Command) => {
      await (await import('./commands/info.js')).infoCommand(model, ...commandFlags(cmd));
    });

  sub('simulate')
    .description('write a simulated multi-task dataset (the designs of method.md §7)')
    .addOption(
      new Option('--design <design>', 'factor, covariate or pdx (PDX-like gene expression)')
        .choices(DESIGNS as unknown as string[])
        .default('factor'),
    )
    .option('--tasks <R>', 'number of tasks (default 5)', parse.int(1))
    .option(
      '--n <rows>',
      'training rows per task (default 120 factor, 100 covariate)',
      parse.int(1),
    )
    .option('--test-rows <rows>', 'test rows per task (default 500; 100 pdx)', parse.int(1))
    .option(
      '--p <features>',
      'number of features (default 100 factor, 50 covariate, 300 pdx)',
      parse.int(1),
    )
    .option('--delta-x <v>', 'distribution shift between tasks δX (default 0.5)', parse.number)
    .option('--delta-y <v>', 'shift between the coefficient groups δY (default 1)', parse.number)
    .option('--sigma <v>', 'response noise sd σ', parse.number)
    .option('--alpha <v>', 'nonlinearity α', parse.number)
    .addOption(
      new Option(
        '--family <family>',
        "the factor design's response: gaussian (y = η + σε), binomial (0/1, log-odds s·η) or poisson (counts, log rate s·η)",
      ).choices(['gaussian', 'binomial', 'poisson']),
    )
    .option(
      '--link-scale <s>',
      'the scale s of η for binomial and poisson (default 1 binomial, 0.5 poisson)',
      parse.number,
    )
    .option('--seed <n>', 'seed', parse.int(0), 0)
    .option('-o, --out <path>', 'training rows (.csv, or .json records); default: CSV on stdout')
    .option('--test-out <path>', 'also write the test rows')
    .addHelpText(
      'after',
      '\nExample:\n  hetmtl simulate --tasks 8 --n 80 --seed 3 --out data.csv --test-out test.csv',
    )
    .action(async (_o, cmd: Command) => {
      await (await import('./commands/simulate.js')).simulateCommand(...commandFlags(cmd));
    });

  addModelOptions(
    sub('demo')
      .description(
        'the method on the default factor simulation: per-task RMSE and R² next to per-task and pooled ridge, learned vs true groups (no files or network)',
      )
      .addOption(backendOption()),
  )
    .addHelpText('after', '\nExample:\n  hetmtl demo --quick')
    .action(async (_o, cmd: Command) => {
      await (await import('./commands/demo.js')).demoCommand(...commandFlags(cmd));
    });

  return program;
}

/** Parses argv (without node and the script), runs the command, returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const state: { command?: string } = {};
  const verbose = argv.includes('--verbose');
  const program = buildProgram(state);
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    process.stderr.write(
      '\nhetmtl: error: no command given. Run "hetmtl --help" for the commands.\n',
    );
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version
      const where = state.command ? `hetmtl ${state.command}` : 'hetmtl';
      const message = oneLine(e.message.replace(/^error:\s*/, ''));
      process.stderr.write(
        `hetmtl: error: ${message}. Run "${where} --help" for usage.\n`.replace(
          /\.\. Run/,
          '. Run',
        ),
      );
      return EXIT.usage;
    }
    const { describeError } = await import('./describe-error.js');
    const d = describeError(e);
    process.stderr.write(`hetmtl: error: ${d.message}\n`);
    if (verbose) process.stderr.write(`${verboseDetails(e)}\n`);
    return d.code;
  }
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';

/**
 * moto in server mode: the hub's default local AWS. Uses a `moto_server` 5.x already on PATH;
 * otherwise creates `.venv/` in the project and installs the pinned version below into it
 * (once; later runs reuse it). Listens on a free loopback port and is stopped with its handle.
 */
export const PINNED_MOTO = 'moto[server]==5.2.1';
const MIN_MAJOR = 5;

export interface RunningMoto {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startMoto(
  options: { projectRoot?: string; log?: (line: string) => void } = {},
): Promise<RunningMoto> {
  const root = options.projectRoot ?? process.cwd();
  const log = options.log ?? (() => undefined);
  const command = findMotoServer(root, log) ?? installIntoVenv(root, log);
  const port = await freePort();
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_CALL_RESET_API: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // Whatever way this process ends, the emulator it started ends with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(endpoint, child, () => stderr);
  log(`moto ${command} listening on ${endpoint} (pid ${child.pid})`);
  return { endpoint, pid: child.pid as number, stop: () => stopChild(child) };
}

/** `moto_server` on PATH, if it is moto 5 or newer. */
function findMotoServer(root: string, log: (line: string) => void): string | undefined {
  const venvServer = join(root, '.venv', 'bin', 'moto_server');
  for (const candidate of [...onPath('moto_server'), venvServer]) {
    if (!existsSync(candidate)) continue;
    const version = motoVersion(candidate);
    if (version && Number(version.split('.')[0]) >= MIN_MAJOR) return candidate;
    log(`ignoring ${candidate}: moto ${version ?? 'of unknown version'} (need ${MIN_MAJOR}.x or newer)`);
  }
  return undefined;
}

function onPath(name: string): string[] {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name));
}

/** Version of the moto a `moto_server` script runs, read through the interpreter it names. */
function motoVersion(script: string): string | undefined {
  try {
    let real = script;
    const first = readFileSync(real, 'utf8').split('\n', 1)[0] ?? '';
    if (first.includes('bash') && readFileSync(real, 'utf8').includes('pyenv')) {
      real = execFileSync('pyenv', ['which', 'moto_server'], { encoding: 'utf8' }).trim();
    }
    const shebang = (readFileSync(real, 'utf8').split('\n', 1)[0] ?? '').replace(/^#!\s*/, '').split(/\s+/);
    const [interpreter, ...args] = shebang[0]?.endsWith('/env') ? shebang.slice(1) : shebang;
    if (!interpreter) return undefined;
    return execFileSync(interpreter, [...args, '-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
      timeout: 20_000,
    }).trim();
  } catch {
    return undefined;
  }
}

function installIntoVenv(root: string, log: (line: string) => void): string {
  const venv = resolve(root, '.venv');
  const python = join(venv, 'bin', 'python');
  log(`no moto_server ${MIN_MAJOR}.x found: installing ${PINNED_MOTO} into ${venv} (one time)`);
  try {
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', PINNED_MOTO], { stdio: 'inherit' });
  } catch (cause) {
    throw new Error(
      `could not install ${PINNED_MOTO} into ${venv}. Either install Python's venv module ` +
        '(Debian/Ubuntu: apt install python3-venv) and PyPI access, or install moto 5.x yourself ' +
        `(pip install '${PINNED_MOTO}'), or point AWS_ENDPOINT_URL at an emulator you run.`,
      { cause },
    );
  }
  return join(venv, 'bin', 'moto_server');
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 150));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${endpoint}/moto-api/ within 30 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

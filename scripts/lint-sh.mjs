// `npm run lint:sh`: shellcheck on every shell script the repository ships (git ls-files '*.sh'),
// so that a new one is checked without a list to keep. The scripts say their shell in their
// shebang (deploy/join.sh: POSIX sh, which is what it must run under: dash, busybox sh).
import { execFileSync } from 'node:child_process';
import { ROOT } from './lib/process.mjs';

const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '*.sh'], {
  cwd: ROOT,
})
  .toString()
  .split('\0')
  .filter(Boolean);
if (files.length === 0) {
  console.error('lint:sh: no *.sh files found');
  process.exit(1);
}
try {
  execFileSync('shellcheck', ['--external-sources', ...files], { cwd: ROOT, stdio: 'inherit' });
} catch (error) {
  if (error.code === 'ENOENT') {
    console.error('lint:sh: shellcheck is not installed (apt-get install -y shellcheck)');
  }
  process.exit(1);
}
console.log(`lint:sh: ${files.length} scripts clean (${files.join(', ')})`);

import type { Child, Exit } from "./child.ts";

// Says which process went away and shows its last lines, which usually say why.
export function reportExit(child: Child, exit: Exit, when: string): void {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  console.error(
    `chronik dev: ${child.name} (pid ${child.process.pid}) ${how}${when}; its last lines (full log: ${child.logFile}):`,
  );
  for (const line of child.tail()) console.error(`  ${line}`);
}

// After the cluster came up the rest keeps running, so the user can watch it fail over and then
// bring the process back by hand.
export function reportDeath(child: Child, exit: Exit): void {
  reportExit(child, exit, "");
  console.error(
    `chronik dev: the rest keeps running. To restart ${child.name}, run this in another terminal ` +
      `(its log then goes to that terminal, and Ctrl-C there stops it):\n  ${child.command}`,
  );
}

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

/**
 * DynamoDB Local has no option for the interface it listens on: its Jetty server listens on all of
 * them. This launcher runs the same server (ServerRunner builds it from the same command line), sets
 * its one connector's host to 127.0.0.1 before it starts, then starts it. It reads one private field
 * (DynamoDBProxyServer.server) of the pinned release; if that ever changes, the launcher exits at
 * once and dynamodb-server.ts starts the plain jar instead, saying so. Telemetry is never set up.
 */
export const LAUNCHER_CLASS = 'JobOrchestratorLoopbackDynamoDBLocal';

const LAUNCHER_SOURCE = `import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/** DynamoDB Local on 127.0.0.1 only (infra/local/dynamodb-loopback.ts). */
public class ${LAUNCHER_CLASS} {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector");
    for (Connector connector : connectors) ((ServerConnector) connector).setHost("127.0.0.1");
    proxy.start();
  }
}
`;

/** Where compiled launchers are kept, by a hash of their source and of the DynamoDB Local release. */
const CACHE_DIR = join(REPO_ROOT, '.local', 'dynamodb-loopback');

/**
 * The folder holding the compiled launcher for this DynamoDB Local release (compiled once with
 * `javac`, about a second, then cached under .local/), or undefined when there is no `javac`.
 */
export const loopbackLauncher = (jar: string, release: string): string | undefined => {
  const key = createHash('sha256').update(LAUNCHER_SOURCE).update(release).digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, key);
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  // Compiled aside, then renamed into place: a concurrent start never sees half a class.
  const work = mkdtempSync(join(CACHE_DIR, 'build-'));
  try {
    const source = join(work, `${LAUNCHER_CLASS}.java`);
    writeFileSync(source, LAUNCHER_SOURCE);
    const out = join(work, 'classes');
    const compiled = spawnSync('javac', ['--release', '17', '-cp', jar, '-d', out, source], {
      encoding: 'utf8',
    });
    if (compiled.error || compiled.status !== 0) return undefined;
    try {
      renameSync(out, dir);
    } catch {
      // Another start put it there first.
    }
    return existsSync(join(dir, `${LAUNCHER_CLASS}.class`)) ? dir : undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};

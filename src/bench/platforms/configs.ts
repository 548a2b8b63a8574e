// Generated server configurations: each server listens only on 127.0.0.1 at
// the chosen port, runs in the foreground and keeps its files in one folder.

/** Returns an nginx configuration that serves `root`/index.html with one worker process, because OSv runs a single process. */
export function nginxConfig(port: number, dir: string, root: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type text/html;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    index index.html;
  }
}
`
}

/** The page nginx serves: a small static HTML file, about the size of a default welcome page. */
export const INDEX_HTML = `<!DOCTYPE html>
<html>
<head><title>depgraph benchmark</title></head>
<body>
<h1>depgraph benchmark</h1>
<p>This static page is what the nginx throughput suite requests.</p>
</body>
</html>
`

/** redis-server arguments: no persistence, loopback only, in the foreground. */
export function redisArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no', '--save', '', '--appendonly', 'no', '--dir', dir]
}

/** SQL run at mariadbd start, so sysbench finds its database. */
export const MYSQL_INIT_SQL = 'CREATE DATABASE IF NOT EXISTS sbtest;\n'

/**
 * mariadbd or mysqld arguments for a fresh data folder. Grant tables are
 * skipped, so any user connects without a password: the server listens
 * only on loopback and lives as long as the benchmark.
 */
export function mysqlArgs(port: number, dir: string, user: string): string[] {
  return [
    '--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, `--socket=${dir}/mysqld.sock`, `--port=${port}`,
    '--bind-address=127.0.0.1', '--skip-grant-tables', `--pid-file=${dir}/mysqld.pid`, `--init-file=${dir}/init.sql`,
    '--skip-log-bin',
  ]
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`
}

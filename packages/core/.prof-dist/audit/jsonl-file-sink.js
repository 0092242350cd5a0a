import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
const open = new Set();
let exitHookInstalled = false;
/**
 * The embedded default sink: appends one JSON object per line to a file. Events are buffered and
 * written on `flush()`, when the buffer fills, on `close()` and when the process exits.
 */
export class JsonlFileSink {
    path;
    fd;
    buffer = [];
    bytes = 0;
    limit;
    constructor(path, options = {}) {
        this.path = path;
        this.limit = options.bufferBytes ?? 64 * 1024;
        mkdirSync(dirname(path), { recursive: true });
        this.fd = openSync(path, 'a');
        open.add(this);
        if (!exitHookInstalled) {
            exitHookInstalled = true;
            process.once('exit', () => {
                for (const sink of open)
                    sink.close();
            });
        }
    }
    write(event) {
        const line = `${JSON.stringify(event)}\n`;
        this.buffer.push(line);
        this.bytes += line.length;
        if (this.bytes >= this.limit)
            this.flush();
    }
    flush() {
        if (this.fd === undefined || this.buffer.length === 0)
            return;
        writeSync(this.fd, this.buffer.join(''));
        this.buffer = [];
        this.bytes = 0;
    }
    close() {
        if (this.fd === undefined)
            return;
        this.flush();
        closeSync(this.fd);
        this.fd = undefined;
        open.delete(this);
    }
}
/** Keeps events in an array: for tests and for in-process inspection. */
export class MemorySink {
    events = [];
    write(event) {
        this.events.push(event);
    }
}

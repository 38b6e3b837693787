package dev.tier0.milvus;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link MilvusLiteIT}: starts a server, prints its pid, and exits without stopping it
 * (or, with a second argument "hang", waits to be killed).
 */
public final class LiteExitProbe {
    private LiteExitProbe() {
    }

    public static void main(String[] args) {
        MilvusLite lite = MilvusLite.start(Path.of(args[0]));
        System.out.println("PID " + lite.pid());
        System.out.flush();
        if (args.length > 1 && args[1].equals("hang")) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // no stop(): the shutdown hook must take the server down with the JVM
    }
}

package dev.tier0.milvus;

import java.nio.file.Path;

/** Run in a child JVM by {@link MilvusLiteIT}: starts a server, prints its pid, and exits without stopping it. */
public final class LiteExitProbe {
    private LiteExitProbe() {
    }

    public static void main(String[] args) {
        MilvusLite lite = MilvusLite.start(Path.of(args[0]));
        System.out.println("PID " + lite.pid());
        System.out.flush();
        // no stop(): the shutdown hook must take the server down with the JVM
    }
}

package dev.tier0.local;

/** Used heap after a full GC: a rough but repeatable figure for "how much does this component keep". */
final class HeapProbe {
    private HeapProbe() {
    }

    static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}

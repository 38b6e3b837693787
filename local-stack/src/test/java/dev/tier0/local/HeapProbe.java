package dev.tier0.local;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints how long starting a component took and how much heap it needed (for the reports, not asserted). */
final class HeapProbe {
    private HeapProbe() {
    }

    static <T> T measure(String component, Supplier<T> start) {
        long usedBefore = usedAfterGc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long started = System.nanoTime();
        T result = start.get();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // The sum of each heap pool's own peak: an upper bound of the true peak, good enough to spot a 128 MiB buffer.
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        long retained = usedAfterGc() - usedBefore;
        System.out.printf("%s: started in %d ms; heap retained +%d MiB, peak during start <= %d MiB%n",
                component, millis, retained >> 20, peak >> 20);
        return result;
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}

package dev.tier0.cli.soak;

import java.util.List;
import java.util.Map;

/** The soak's readable table: scaling, each fault's throughput and recovery, searches, memory. */
final class Table {
  private Table() {}

  @SuppressWarnings("unchecked")
  static void print(Map<String, Object> report, List<Map<String, Object>> faults) {
    System.out.println();
    System.out.println("== soak: " + report.get("records") + " records, load average at the end "
        + report.get("load_average_end") + " on " + report.get("cores") + " cores ==");
    Map<String, Object> sc = (Map<String, Object>) report.getOrDefault("scaling", Map.of());
    System.out.printf("%-34s %10s %10s%n", "scaling (committed records/s)", "1", "2");
    System.out.printf("%-34s %10s %10s%n", "connector tasks", sc.get("connect_1_task_rps"), sc.get("connect_2_tasks_rps"));
    System.out.printf("%-34s %10s %10s%n", "streams instances", sc.get("streams_1_instance_rps"), sc.get("streams_2_instances_rps"));
    System.out.println();
    System.out.printf("%-28s %-22s %-22s %-10s %-10s%n", "fault", "connect rps b/d/a", "streams rps b/d/a",
        "conn rec s", "strm rec s");
    for (Map<String, Object> f : faults) {
      System.out.printf("%-28s %-22s %-22s %-10s %-10s%n", f.get("fault"),
          f.get("connect_rps_before") + "/" + f.get("connect_rps_during") + "/" + f.get("connect_rps_after"),
          f.get("streams_rps_before") + "/" + f.get("streams_rps_during") + "/" + f.get("streams_rps_after"),
          f.get("connect_recovered_after_s"), f.get("streams_recovered_after_s"));
    }
    System.out.println();
    Map<String, Object> s = (Map<String, Object>) report.getOrDefault("search", Map.of());
    System.out.println("searches: " + s);
    System.out.println("peak RSS MiB: " + report.get("peak_rss_mib"));
    System.out.println("connector DLQ: " + report.get("connector_dlq"));
    System.out.println("streams DLQ: " + report.get("streams_dlq"));
    System.out.println("connector collection: " + report.get("connect_collection") + "; streams collection: "
        + report.get("streams_collection"));
  }
}

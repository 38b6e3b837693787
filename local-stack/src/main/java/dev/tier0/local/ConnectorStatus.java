package dev.tier0.local;

import java.util.List;

/** A connector's state as the Connect REST API reports it (RUNNING, PAUSED, FAILED, UNASSIGNED, ...). */
public record ConnectorStatus(String name, String state, String trace, List<TaskStatus> tasks) {

    public record TaskStatus(int id, String state, String trace) {
        public boolean isRunning() {
            return "RUNNING".equals(state);
        }

        public boolean isFailed() {
            return "FAILED".equals(state);
        }
    }

    public ConnectorStatus {
        tasks = List.copyOf(tasks);
    }

    /** The connector and exactly {@code expectedTasks} tasks are all RUNNING. */
    public boolean isRunning(int expectedTasks) {
        return "RUNNING".equals(state) && tasks.size() == expectedTasks
                && tasks.stream().allMatch(TaskStatus::isRunning);
    }

    public boolean isFailed() {
        return "FAILED".equals(state) || tasks.stream().anyMatch(TaskStatus::isFailed);
    }

    public TaskStatus task(int id) {
        return tasks.stream().filter(t -> t.id() == id).findFirst()
                .orElseThrow(() -> new LocalStackException("connector " + name + " has no task " + id + ": " + this));
    }
}

package dev.tier0.connect;

/** JMX view of the models loaded by this plugin: proves that tasks share one model instead of loading their own. */
public interface ModelLoadsMBean {
  /** Models ever loaded by this plugin's copy of the engine (one per model directory and options). */
  int getLoadCount();

  /** Models loaded right now. */
  int getOpenCount();
}

package dev.tier0.cli;

import picocli.CommandLine.IVersionProvider;

/** The version Maven stamped into the jar manifest. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Tier0.class.getPackage().getImplementationVersion();
    return new String[] {"tier0 " + (version == null ? "(development build)" : version)};
  }
}

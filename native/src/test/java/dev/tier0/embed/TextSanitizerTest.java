package dev.tier0.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextSanitizerTest {

  @Test
  void replacesOnlyUnpairedSurrogates() {
    assertThat(TextSanitizer.replaceUnpairedSurrogates("a\uD83D\uDE80b")).isEqualTo("a\uD83D\uDE80b"); // 🚀 kept
    assertThat(TextSanitizer.replaceUnpairedSurrogates("a\uD83Db")).isEqualTo("a\uFFFDb");
    assertThat(TextSanitizer.replaceUnpairedSurrogates("\uDE80x")).isEqualTo("\uFFFDx");
    assertThat(TextSanitizer.replaceUnpairedSurrogates("end\uD83D")).isEqualTo("end\uFFFD");
    assertThat(TextSanitizer.replaceUnpairedSurrogates("\uDE80\uD83D")).isEqualTo("\uFFFD\uFFFD");
    String plain = "plain";
    assertThat(TextSanitizer.replaceUnpairedSurrogates(plain)).isSameAs(plain);
  }
}

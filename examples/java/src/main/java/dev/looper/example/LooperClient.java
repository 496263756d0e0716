package dev.looper.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Looper over NATS request-reply, as a product service that holds a NATS connection and nothing
 * else talks to it (docs/decisions.md: "Point a real product at it" and "Outcomes over NATS").
 * It does what the TypeScript SDK does on that path: a decide never hangs (past its deadline, or
 * with no predictor answering, the answer is a fallback action), and an outcome is retried while
 * Looper is away, for a bounded time.
 */
public final class LooperClient implements AutoCloseable {
  /** Decide requests for one blueprint (services/lib/names.ts: subjects.decide). */
  static final String DECIDE_SUBJECT_PREFIX = "looper.decide.";
  /** One outcome, acknowledged once it is on looper.outcomes (subjects.outcome). */
  static final String OUTCOME_SUBJECT = "looper.outcome";
  /** Time allowed beyond a decide deadline for the reply to travel back (the SDK's figure). */
  static final Duration REPLY_SLACK = Duration.ofMillis(50);
  /** The predictor answers an outcome within 5 s (Kafka's acknowledgement), 1 s more for the reply. */
  static final Duration OUTCOME_REQUEST_TIMEOUT = Duration.ofMillis(6_000);

  /** A decision: Looper's reply, or one made here when Looper did not answer (decisionId null). */
  public record Decision(
      String decisionId,
      String action,
      Double score,
      boolean fallback,
      String fallbackReason,
      String model) {
    static Decision local(String action, String reason) {
      return new Decision(null, action, null, true, reason, null);
    }
  }

  /** An error reply's code and message, or "unreachable"/"unavailable" when Looper did not answer. */
  public static final class LooperException extends Exception {
    private final String code;

    LooperException(String code, String message) {
      super(message);
      this.code = code;
    }

    LooperException(String code, String message, Throwable cause) {
      super(message, cause);
      this.code = code;
    }

    public String code() {
      return code;
    }

    /** Whether asking again can help: an outcome refused as unavailable (a decision keeps its first outcome). */
    public boolean retriable() {
      return code.equals("unavailable");
    }
  }

  /** The request got no reply: timed out, or no predictor subscribes to the subject. */
  private static final class Unanswered extends Exception {
    Unanswered(String message) {
      super(message);
    }
  }

  private final Connection nats;
  private final ObjectMapper json = new ObjectMapper();
  /** The default action of each blueprint, learned from its fallback replies. */
  private final Map<String, String> defaults = new ConcurrentHashMap<>();

  private LooperClient(Connection nats) {
    this.nats = nats;
  }

  /** Connects to the NATS server at `url` (Looper's LOOPER_NATS_URL). */
  public static LooperClient connect(String url) throws IOException, InterruptedException {
    Options options =
        Options.builder()
            .server(url)
            .connectionName("looper-java-example")
            // A request nobody subscribes to fails at once (503), not after its timeout.
            .reportNoResponders()
            .build();
    return new LooperClient(Nats.connect(options));
  }

  /**
   * Asks for a decision about `entity`. Never hangs: when no reply comes within the deadline (and
   * 50 ms for it to travel), the answer is `fallbackAction` (or the blueprint's default, once a
   * fallback reply has named it) with fallbackReason "unreachable"; an overloaded predictor's
   * refusal gives the same with "overloaded". Any other error reply throws with its code.
   */
  public Decision decide(
      String blueprint, String entity, JsonNode context, Duration deadline, String fallbackAction)
      throws LooperException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    body.put("entity", entity);
    body.set("context", context);
    body.put("deadlineMs", deadline.toMillis());
    String subject = DECIDE_SUBJECT_PREFIX + blueprint;
    String fallback = fallbackAction != null ? fallbackAction : defaults.get(blueprint);
    JsonNode reply;
    try {
      reply = request(subject, body, deadline.plus(REPLY_SLACK));
    } catch (Unanswered e) {
      if (fallback == null)
        throw new LooperException(
            "unreachable", e.getMessage() + ", and no fallback action is known: pass one", e);
      return Decision.local(fallback, "unreachable");
    }
    JsonNode error = reply.get("error");
    if (error != null) {
      String code = error.path("code").asText("internal");
      if (code.equals("overloaded") && fallback != null) return Decision.local(fallback, "overloaded");
      throw new LooperException(code, error.path("message").asText());
    }
    JsonNode score = reply.path("score");
    Decision decision =
        new Decision(
            textOrNull(reply, "decisionId"),
            reply.path("action").asText(),
            score.isNumber() ? score.asDouble() : null,
            reply.path("fallback").asBoolean(false),
            textOrNull(reply, "fallbackReason"),
            textOrNull(reply, "model"));
    // A fallback that exploration did not choose carries the blueprint's default.
    if (decision.fallback() && !reply.path("explored").asBoolean(false))
      defaults.put(blueprint, decision.action());
    return decision;
  }

  /**
   * Reports what happened after a decision (e.g. 1 for a click) and returns once it is on
   * looper.outcomes. While Looper is away (no reply, no predictor, or `unavailable`) it asks again,
   * waiting 100 ms, then twice as long each time up to 2 s, until `retryFor` has passed; then it
   * throws `unavailable`. A refusal (bad_request, bad_value, internal) throws at once.
   */
  public void outcome(String decisionId, double value, Duration retryFor)
      throws LooperException, InterruptedException {
    if (!Double.isFinite(value))
      throw new LooperException("bad_value", "value " + value + " is not a finite number");
    ObjectNode body = json.createObjectNode();
    body.put("decisionId", decisionId);
    body.put("value", value);
    // Stamped once: a repeat carries the time it happened, not the time of the retry.
    body.put("ts", System.currentTimeMillis());
    long giveUpAt = System.nanoTime() + retryFor.toNanos();
    for (long waitMs = 100; ; waitMs = Math.min(2 * waitMs, 2_000)) {
      LooperException failure;
      try {
        JsonNode reply = request(OUTCOME_SUBJECT, body, OUTCOME_REQUEST_TIMEOUT);
        if (reply.path("ok").asBoolean(false)) return;
        JsonNode error = reply.path("error");
        failure =
            new LooperException(error.path("code").asText("internal"), error.path("message").asText());
        if (!failure.retriable()) throw failure;
      } catch (Unanswered e) {
        failure =
            new LooperException(
                "unavailable",
                e.getMessage() + "; report it again (a decision keeps its first outcome)",
                e);
      }
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs) > giveUpAt) throw failure;
      Thread.sleep(waitMs);
    }
  }

  /** One request-reply: the reply as JSON, or Unanswered when none came within `timeout`. */
  private JsonNode request(String subject, JsonNode body, Duration timeout)
      throws Unanswered, LooperException, InterruptedException {
    CompletableFuture<Message> pending;
    try {
      pending = nats.requestWithTimeout(subject, json.writeValueAsBytes(body), timeout);
    } catch (IOException | IllegalArgumentException e) {
      // A blueprint name that is no NATS subject token ("a b", "x.*") is refused here.
      throw new LooperException("bad_request", subject + ": " + e.getMessage(), e);
    }
    Message reply;
    try {
      reply = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | CancellationException e) {
      pending.cancel(true);
      throw new Unanswered("no reply on " + subject + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof JetStreamStatusException status
          && status.getStatus().isNoResponders())
        throw new Unanswered(
            "no predictor answers " + subject + ": start Looper's services (npx looper up)");
      throw new Unanswered("no reply on " + subject + " (" + e.getCause() + ")");
    }
    try {
      return json.readTree(reply.getData());
    } catch (IOException e) {
      throw new LooperException("internal", "the reply on " + subject + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  @Override
  public void close() throws InterruptedException {
    nats.close();
  }
}

package io.ringkv.cluster.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.openhft.hashing.LongHashFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * The placement of the 16384 slots on the physical nodes: an immutable value stamped with an
 * epoch. A membership change builds a new Ring and swaps a reference; nothing here ever mutates
 * after construction, so a Ring can be read from any thread without locks.
 *
 * <p>The layout is the Dynamo paper's strategy 3 (Q equal partitions, T tokens per node). Each
 * member places {@code vnodes * weight} tokens on a 64-bit ring, token {@code i} of node
 * {@code n} being xxHash64 (seed 0) of the UTF-8 bytes of {@code n + "#" + i}: a pure function of
 * the node id, so every node computes the same ring from the same member list, whatever order the
 * list came in. Slot {@code s} sits at the ring position {@code s * 2^50}, i.e. the slots cut the
 * ring into 16384 equal arcs. All positions are unsigned 64-bit values and are compared unsigned.
 *
 * <p>A slot's preference list is the first N distinct physical members met walking clockwise from
 * the slot's position (starting at the first token at or after it, wrapping past 2^64 - 1 to 0),
 * spread over datacenters and racks where the topology allows (see {@link #preferenceList}).
 * Its first member is the slot's <em>head</em>: the node cluster-aware clients are told owns it.
 *
 * <p>Because the preference list is chosen greedily one member at a time, the list for N is a
 * prefix of the list for N + 1. That lets the constructor precompute, once, the first
 * {@link #PRECOMPUTED_REPLICAS} members of every slot (16384 x 5 ints), so that the request path
 * reads a slot's replicas from an array; longer lists are walked on demand.
 *
 * <p>A per-datacenter replication factor ({@link ReplicationFactor}, e.g. {@code dc1:2,dc2:1})
 * places a slot's replicas by datacenter instead: {@link #placement} computes the table of every
 * slot's replicas once, so that the request path reads them from an array too.
 */
public final class Ring {

    public static final int DEFAULT_VNODES = 256;

    /** Replicas precomputed per slot; replication factors above this are walked per call. */
    public static final int PRECOMPUTED_REPLICAS = 5;

    /**
     * Upper bound on sum(weight) * vnodes: keeps construction time and memory bounded (4M tokens
     * is ~50 MB of arrays and a few seconds of hashing) whatever a config file says.
     */
    public static final int MAX_TOKENS = 1 << 22;

    /** Slot s sits at s << SLOT_SHIFT: 2^64 / 16384 = 2^50. */
    private static final int SLOT_SHIFT = 64 - Integer.numberOfTrailingZeros(Slots.COUNT);

    private static final LongHashFunction XX = LongHashFunction.xx();

    private final long epoch;
    private final int vnodes;
    /** Members sorted by node id; every int "member index" below indexes this list. */
    private final List<Member> members;
    private final Map<String, Integer> indexById;
    /** Token positions sorted unsigned, and the member index owning each. */
    private final long[] tokens;
    private final int[] tokenOwner;
    /** Per member: its datacenter number and its (datacenter-scoped) rack number. */
    private final int[] dcOf;
    private final int[] rackOf;
    private final int dcCount;
    private final int rackCount;
    /** Datacenter numbers by name, and per datacenter number its member and rack counts. */
    private final Map<String, Integer> dcIndex;
    private final int[] dcSize;
    private final int[] dcRacks;
    /** Per slot: the index into tokens of the first token at or after the slot's position. */
    private final int[] firstToken;
    /** Per slot: the first {@code depth} members of its preference list, flattened. */
    private final int depth;
    private final int[] prefix;
    /** Per member: the slots it heads. Never handed out without a copy. */
    private final RoaringBitmap[] owned;

    private Ring(List<Member> input, int vnodes, long epoch) {
        if (vnodes < 1) {
            throw new IllegalArgumentException("vnodes must be >= 1, got " + vnodes);
        }
        if (input.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        this.epoch = epoch;
        this.vnodes = vnodes;

        List<Member> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.comparing(Member::nodeId));
        this.members = Collections.unmodifiableList(sorted);
        Map<String, Integer> ids = new HashMap<>();
        long total = 0;
        for (int m = 0; m < sorted.size(); m++) {
            if (ids.put(sorted.get(m).nodeId(), m) != null) {
                throw new IllegalArgumentException("duplicate node id " + sorted.get(m).nodeId());
            }
            total += (long) sorted.get(m).weight() * vnodes;
        }
        if (total > MAX_TOKENS) {
            throw new IllegalArgumentException("sum(weight) * vnodes = " + total + " exceeds " + MAX_TOKENS);
        }
        this.indexById = Map.copyOf(ids);

        // Topology numbering: racks are keyed by (datacenter, rack) since rack names are only
        // meaningful inside a datacenter.
        Map<String, Integer> dcs = new LinkedHashMap<>();
        Map<List<String>, Integer> racks = new LinkedHashMap<>();
        this.dcOf = new int[sorted.size()];
        this.rackOf = new int[sorted.size()];
        for (int m = 0; m < sorted.size(); m++) {
            Member member = sorted.get(m);
            dcOf[m] = dcs.computeIfAbsent(member.datacenter(), k -> dcs.size());
            rackOf[m] = racks.computeIfAbsent(List.of(member.datacenter(), member.rack()), k -> racks.size());
        }
        this.dcCount = dcs.size();
        this.rackCount = racks.size();
        this.dcIndex = Map.copyOf(dcs);
        this.dcSize = new int[dcCount];
        this.dcRacks = new int[dcCount];
        for (int m = 0; m < sorted.size(); m++) {
            dcSize[dcOf[m]]++;
        }
        for (List<String> rack : racks.keySet()) {
            dcRacks[dcs.get(rack.get(0))]++;
        }

        // Tokens. Sorting is by (unsigned position, member index) so that even a 64-bit hash
        // collision between two nodes orders deterministically.
        int count = (int) total;
        long[] raw = new long[count];
        int[] rawOwner = new int[count];
        int t = 0;
        for (int m = 0; m < sorted.size(); m++) {
            Member member = sorted.get(m);
            int n = member.weight() * vnodes;
            for (int i = 0; i < n; i++) {
                raw[t] = token(member.nodeId(), i);
                rawOwner[t] = m;
                t++;
            }
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Long.compareUnsigned(raw[a], raw[b]);
            return c != 0 ? c : Integer.compare(rawOwner[a], rawOwner[b]);
        });
        this.tokens = new long[count];
        this.tokenOwner = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = raw[order[i]];
            tokenOwner[i] = rawOwner[order[i]];
        }

        // Slot positions increase with the slot number, so one sweep finds every slot's first
        // token; a slot past the last token wraps to token 0.
        this.firstToken = new int[Slots.COUNT];
        int next = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            long position = slotPosition(s);
            while (next < count && Long.compareUnsigned(tokens[next], position) < 0) {
                next++;
            }
            firstToken[s] = next == count ? 0 : next;
        }

        this.depth = Math.min(PRECOMPUTED_REPLICAS, sorted.size());
        this.prefix = new int[Slots.COUNT * depth];
        Walker walker = new Walker();
        int[] out = new int[depth];
        int[][] headed = new int[sorted.size()][];
        int[] headedCount = new int[sorted.size()];
        for (int m = 0; m < sorted.size(); m++) {
            headed[m] = new int[16];
        }
        for (int s = 0; s < Slots.COUNT; s++) {
            walker.walk(firstToken[s], depth, out);
            System.arraycopy(out, 0, prefix, s * depth, depth);
            int head = out[0];
            if (headedCount[head] == headed[head].length) {
                headed[head] = Arrays.copyOf(headed[head], headed[head].length * 2);
            }
            headed[head][headedCount[head]++] = s;
        }
        this.owned = new RoaringBitmap[sorted.size()];
        for (int m = 0; m < sorted.size(); m++) {
            RoaringBitmap b = RoaringBitmap.bitmapOf(Arrays.copyOf(headed[m], headedCount[m]));
            b.runOptimize();
            owned[m] = b;
        }
    }

    /** A ring with {@link #DEFAULT_VNODES} tokens per unit of weight. */
    public static Ring of(List<Member> members, long epoch) {
        return new Ring(members, DEFAULT_VNODES, epoch);
    }

    public static Ring of(List<Member> members, int vnodes, long epoch) {
        return new Ring(members, vnodes, epoch);
    }

    /** Token {@code i} of {@code nodeId}: xxHash64 (seed 0) of the UTF-8 bytes of "nodeId#i". */
    public static long token(String nodeId, int i) {
        return XX.hashBytes((nodeId + "#" + i).getBytes(StandardCharsets.UTF_8));
    }

    /** The unsigned ring position of slot {@code s}: s * 2^50. */
    public static long slotPosition(int slot) {
        checkSlot(slot);
        return (long) slot << SLOT_SHIFT;
    }

    public long epoch() {
        return epoch;
    }

    public int vnodes() {
        return vnodes;
    }

    /** The members, sorted by node id. */
    public List<Member> members() {
        return members;
    }

    public Set<String> nodeIds() {
        return indexById.keySet();
    }

    public boolean contains(String nodeId) {
        return indexById.containsKey(nodeId);
    }

    /** The index of {@code nodeId} in {@link #members()}, or -1. */
    int memberIndex(String nodeId) {
        Integer m = indexById.get(nodeId);
        return m == null ? -1 : m;
    }

    public int tokenCount() {
        return tokens.length;
    }

    /**
     * The member that heads {@code slot}'s preference list (under a plain factor; see
     * {@link Placement#head} for a per-datacenter one).
     */
    public Member head(int slot) {
        checkSlot(slot);
        return members.get(prefix[slot * depth]);
    }

    /**
     * The first {@code n} distinct physical members met walking clockwise from the slot's
     * position, spread over the topology: at each step the walk takes the first member (in walk
     * order) in a datacenter not used yet; once every datacenter is used, the first in a rack not
     * used yet; once every rack is used too, simply the next member not chosen yet. So when the
     * topology cannot satisfy the spreading (say 3 replicas over 2 racks), the members it skipped
     * come back in walk order rather than the list coming up short. With a single rack and
     * datacenter this is exactly the plain Dynamo walk. {@code n} larger than the member count
     * returns every member.
     */
    public List<Member> preferenceList(int slot, int n) {
        checkSlot(slot);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        int k = Math.min(n, members.size());
        Member[] list = new Member[k];
        if (k <= depth) {
            for (int i = 0; i < k; i++) {
                list[i] = members.get(prefix[slot * depth + i]);
            }
        } else {
            int[] out = new int[k];
            new Walker().walk(firstToken[slot], k, out);
            for (int i = 0; i < k; i++) {
                list[i] = members.get(out[i]);
            }
        }
        return List.of(list);
    }

    /**
     * The first {@code n} distinct members of {@code datacenter} met walking clockwise from the
     * slot's position, spread over that datacenter's racks the way {@link #preferenceList} spreads
     * them (a member in a rack not used yet first; once every rack is used, the next member not
     * chosen yet). Members of other datacenters are walked past. At most the datacenter's member
     * count; empty for a datacenter with no members. The list for {@code n} is a prefix of the
     * list for {@code n + 1}.
     */
    public List<Member> preferenceList(int slot, String datacenter, int n) {
        checkSlot(slot);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Integer dc = dcIndex.get(datacenter);
        if (dc == null) {
            return List.of();
        }
        int k = Math.min(n, dcSize[dc]);
        int[] out = new int[k];
        new Walker().walkDatacenter(firstToken[slot], dc, k, out, new int[k], 0);
        Member[] list = new Member[k];
        for (int i = 0; i < k; i++) {
            list[i] = members.get(out[i]);
        }
        return List.of(list);
    }

    /**
     * Every slot's replicas under {@code factor}. A plain N reads this ring's precomputed
     * preference lists; a per-datacenter factor is computed here for all 16384 slots at once: for
     * each listed datacenter {@code d}, {@link #preferenceList(int, String, int)} of
     * min(count of d, members of d), the lists of all datacenters merged in walk order (by where
     * each member's first token after the slot lies), so the head is the first replica met
     * walking clockwise from the slot.
     */
    public Placement placement(ReplicationFactor factor) {
        if (!factor.isPerDatacenter()) {
            return new Placement(this, factor, Math.min(factor.total(), members.size()), null, null);
        }
        int[] want = new int[dcCount];
        int perSlot = 0;
        for (Map.Entry<String, Integer> e : factor.perDatacenter().entrySet()) {
            Integer dc = dcIndex.get(e.getKey());
            if (dc != null) {
                want[dc] = Math.min(e.getValue(), dcSize[dc]);
                perSlot += want[dc];
            }
        }
        int[] table = new int[Slots.COUNT * perSlot];
        int[] headed = new int[members.size()];
        if (perSlot > 0) {
            Walker walker = new Walker();
            int[] picks = new int[perSlot];
            int[] steps = new int[perSlot];
            for (int s = 0; s < Slots.COUNT; s++) {
                int filled = 0;
                for (int dc = 0; dc < dcCount; dc++) {
                    if (want[dc] > 0) {
                        walker.walkDatacenter(firstToken[s], dc, want[dc], picks, steps, filled);
                        filled += want[dc];
                    }
                }
                // Insertion sort by walk step: at most 16 entries, and steps are distinct (each
                // is the offset of a different member's first token).
                for (int i = 1; i < perSlot; i++) {
                    int p = picks[i];
                    int st = steps[i];
                    int j = i - 1;
                    while (j >= 0 && steps[j] > st) {
                        picks[j + 1] = picks[j];
                        steps[j + 1] = steps[j];
                        j--;
                    }
                    picks[j + 1] = p;
                    steps[j + 1] = st;
                }
                System.arraycopy(picks, 0, table, s * perSlot, perSlot);
                headed[picks[0]]++;
            }
        }
        return new Placement(this, factor, perSlot, table, headed);
    }

    /** The slots {@code nodeId} heads in the plain walk (a copy; empty for a node not in this ring). */
    public RoaringBitmap ownedSlots(String nodeId) {
        Integer m = indexById.get(nodeId);
        return m == null ? new RoaringBitmap() : owned[m].clone();
    }

    /** Number of slots {@code nodeId} heads, without copying its bitmap. */
    public int ownedCount(String nodeId) {
        Integer m = indexById.get(nodeId);
        return m == null ? 0 : owned[m].getCardinality();
    }

    /** Which slots change head, from whom to whom, going from {@code before} to {@code after}. */
    public static SlotMoves diff(Ring before, Ring after) {
        return SlotMoves.between(before, after);
    }

    @Override
    public String toString() {
        return "Ring{epoch=" + epoch + ", members=" + members.size() + ", vnodes=" + vnodes + ", tokens=" + tokens.length + "}";
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= Slots.COUNT) {
            throw new IllegalArgumentException("slot out of range [0, " + Slots.COUNT + "): " + slot);
        }
    }

    /**
     * Scratch state for one preference-list walk. Marks use an epoch stamp instead of clearing
     * arrays, so the constructor reuses one Walker for all 16384 slots; on-demand walks make
     * their own, which keeps Ring free of shared mutable state.
     */
    private final class Walker {
        private final int[] seen = new int[members.size()];
        private final int[] chosen = new int[members.size()];
        private final int[] dcUsed = new int[dcCount];
        private final int[] rackUsed = new int[rackCount];
        private final int[] walked = new int[members.size()];
        /** Per member: how many tokens past the start the walk first met it (valid when seen). */
        private final int[] seenStep = new int[members.size()];
        private int stamp;

        /** Fills out[0..k) with the preference list starting at token {@code start}. */
        void walk(int start, int k, int[] out) {
            stamp++;
            int walkedLen = 0;
            int steps = 0;
            int usedDcs = 0;
            int usedRacks = 0;
            for (int picked = 0; picked < k; picked++) {
                // The best score some unchosen member is known to reach: 0 = new datacenter,
                // 1 = used datacenter but new rack, 2 = anything. Knowing it up front lets the
                // walk stop at the first member that reaches it instead of walking the whole ring.
                int target = usedDcs < dcCount ? 0 : usedRacks < rackCount ? 1 : 2;
                int pick = -1;
                for (int i = 0; i < walkedLen && pick < 0; i++) {
                    int m = walked[i];
                    if (chosen[m] != stamp && score(m) <= target) {
                        pick = m;
                    }
                }
                while (pick < 0) {
                    // Termination: the target is reachable, and walking every token visits
                    // every member.
                    int m = tokenOwner[(start + steps) % tokens.length];
                    steps++;
                    if (seen[m] != stamp) {
                        seen[m] = stamp;
                        walked[walkedLen++] = m;
                        if (score(m) <= target) {
                            pick = m;
                        }
                    }
                }
                chosen[pick] = stamp;
                out[picked] = pick;
                if (dcUsed[dcOf[pick]] != stamp) {
                    dcUsed[dcOf[pick]] = stamp;
                    usedDcs++;
                }
                if (rackUsed[rackOf[pick]] != stamp) {
                    rackUsed[rackOf[pick]] = stamp;
                    usedRacks++;
                }
            }
        }

        /**
         * Fills out[offset..offset+k) with the first k members of datacenter {@code dc} from
         * token {@code start} (k at most the datacenter's size), and steps[...] with the token
         * offset at which the walk first met each. Within the datacenter the scoring is
         * {@link #walk}'s with one datacenter: a new rack first, then anything.
         */
        void walkDatacenter(int start, int dc, int k, int[] out, int[] steps, int offset) {
            stamp++;
            int walkedLen = 0;
            int step = 0;
            int usedRacks = 0;
            for (int picked = 0; picked < k; picked++) {
                int target = usedRacks < dcRacks[dc] ? 0 : 1;
                int pick = -1;
                for (int i = 0; i < walkedLen && pick < 0; i++) {
                    int m = walked[i];
                    if (chosen[m] != stamp && rackScore(m) <= target) {
                        pick = m;
                    }
                }
                while (pick < 0) {
                    // Termination as in walk(): k <= the datacenter's size, and one lap of the
                    // tokens meets every member.
                    int m = tokenOwner[(start + step) % tokens.length];
                    step++;
                    if (dcOf[m] == dc && seen[m] != stamp) {
                        seen[m] = stamp;
                        seenStep[m] = step - 1;
                        walked[walkedLen++] = m;
                        if (rackScore(m) <= target) {
                            pick = m;
                        }
                    }
                }
                chosen[pick] = stamp;
                out[offset + picked] = pick;
                steps[offset + picked] = seenStep[pick];
                if (rackUsed[rackOf[pick]] != stamp) {
                    rackUsed[rackOf[pick]] = stamp;
                    usedRacks++;
                }
            }
        }

        private int rackScore(int m) {
            return rackUsed[rackOf[m]] != stamp ? 0 : 1;
        }

        private int score(int m) {
            if (dcUsed[dcOf[m]] != stamp) {
                return 0;
            }
            return rackUsed[rackOf[m]] != stamp ? 1 : 2;
        }
    }
}

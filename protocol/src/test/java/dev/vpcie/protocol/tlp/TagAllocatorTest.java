package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagAllocatorTest {

    private static BitSet drain(TagAllocator tags) {
        BitSet seen = new BitSet();
        for (int t; (t = tags.allocate()) != TagAllocator.NONE; ) {
            assertFalse(seen.get(t), "tag " + t + " handed out twice");
            seen.set(t);
        }
        return seen;
    }

    @Test void eightBitSpaceIs0To255() {
        TagAllocator tags = TagAllocator.eightBit();
        BitSet seen = drain(tags);
        assertEquals(256, seen.cardinality());
        assertEquals(255, seen.length() - 1);
        assertEquals(256, tags.outstanding());
    }

    @Test void fiveBitSpaceIs0To31() {
        TagAllocator tags = TagAllocator.of(TagAllocator.Space.FIVE_BIT, 32);
        BitSet seen = drain(tags);
        assertEquals(32, seen.cardinality());
        assertEquals(31, seen.length() - 1);
        assertThrows(IllegalArgumentException.class, () -> TagAllocator.of(TagAllocator.Space.FIVE_BIT, 33));
        assertThrows(IllegalArgumentException.class, () -> tags.free(32));
    }

    @Test void tenBitSpaceAvoidsTag98Zero() {
        BitSet seen = drain(TagAllocator.tenBit());
        assertEquals(768, seen.cardinality());
        assertEquals(256, seen.nextSetBit(0));
        assertEquals(1023, seen.length() - 1);
    }

    @Test void boundedByTheOutstandingLimit() {
        TagAllocator tags = TagAllocator.of(TagAllocator.Space.TEN_BIT, 4);
        assertEquals(4, drain(tags).cardinality());
        assertEquals(TagAllocator.NONE, tags.allocate());
        tags.free(257);
        assertEquals(260, tags.allocate(), "round-robin continues after the last tag handed out");
        assertEquals(TagAllocator.NONE, tags.allocate());
        assertThrows(IllegalArgumentException.class, () -> TagAllocator.of(TagAllocator.Space.EIGHT_BIT, 257));
    }

    @Test void reusesATagAsLateAsPossible() {
        TagAllocator tags = TagAllocator.eightBit();
        int a = tags.allocate();
        tags.free(a);
        int b = tags.allocate();
        assertNotEquals(a, b);
        assertTrue(tags.inUse(b));
        assertFalse(tags.inUse(a));
    }

    /** What the VRC relies on after a completion timeout: the freed tag comes round last, whatever was freed after it. */
    @Test void aFreedTagComesRoundOnlyAfterEveryOtherTagOfItsSpace() {
        for (TagAllocator.Space space : TagAllocator.Space.values()) {
            TagAllocator tags = TagAllocator.of(space, space.size());
            int timedOut = tags.allocate();
            tags.free(timedOut);
            BitSet before = new BitSet();
            for (int i = 0; i < space.size() - 1; i++) {
                int t = tags.allocate();
                assertNotEquals(timedOut, t, space + ": handed out again before the others");
                before.set(t);
                if (i % 3 == 0) tags.free(t); // others come and go meanwhile
            }
            assertEquals(space.size() - 1, before.cardinality(), space + ": every other tag once");
            assertEquals(timedOut, tags.allocate(), space + ": then the freed one");
            assertEquals(space, tags.space());
        }
    }

    @Test void freeingWhatIsNotHeldIsABug() {
        TagAllocator tags = TagAllocator.eightBit();
        assertThrows(IllegalStateException.class, () -> tags.free(3));
        assertThrows(IllegalArgumentException.class, () -> tags.free(256));
        assertThrows(IllegalArgumentException.class, () -> TagAllocator.tenBit().free(5));
    }

    @Test void threadsNeverHoldTheSameTag() throws Exception {
        TagAllocator tags = TagAllocator.of(TagAllocator.Space.EIGHT_BIT, 64);
        Set<Integer> held = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        int tag = tags.allocate();
                        if (tag == TagAllocator.NONE) continue;
                        assertTrue(held.add(tag), "tag " + tag + " held twice");
                        held.remove(tag);
                        tags.free(tag);
                    }
                }));
            }
            for (Future<?> job : jobs) job.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, tags.outstanding());
    }
}

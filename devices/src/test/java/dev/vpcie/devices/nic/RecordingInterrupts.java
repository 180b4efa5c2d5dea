package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.InterruptPort;
import java.util.ArrayList;
import java.util.List;

/** Records what a device does to its interrupt port: the INTx level and the vectors raised. */
public final class RecordingInterrupts implements InterruptPort {
    public boolean level;
    public int risingEdges;
    public final List<Integer> raised = new ArrayList<>();

    @Override
    public void raise(int vector) { raised.add(vector); }

    @Override
    public void setLevel(boolean asserted) {
        if (asserted && !level) risingEdges++;
        level = asserted;
    }
}

"""PyTorch twins of metagrad's flagship benchmark workloads, on one CPU thread.

Run by bench/against-pytorch.ts, which interleaves them with metagrad's own runs. Each workload is
built once, warmed up, then timed; the script prints one JSON line per workload:
{"workload": ..., "medianMs": ..., "runs": [...]}.

Usage: python3 anchor.py --workloads gumbel,meta-step,ppo --runs 10 --warmup 3
"""
import argparse
import json
import os
import time

# One thread for torch and for the BLAS beneath it: two pools on one core fight each other.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def gumbel_softmax(hard):
    """F.gumbel_softmax (τ = 0.5) forward + backward on [4096 × 64], upstream gradient w; soft or
    straight-through (hard) samples."""

    def build():
        g = torch.Generator().manual_seed(1)
        logits = torch.randn(4096, 64, generator=g, requires_grad=True)
        upstream = torch.randn(4096, 64, generator=g)

        def run():
            logits.grad = None
            F.gumbel_softmax(logits, tau=0.5, hard=hard).backward(upstream)
            return logits.grad

        return run

    return build


def log_and_sign(g, k=10.0):
    """The L2L preprocessing: [log(max(|g|, e^-k)) / k, clip(e^k g, -1, 1)] per coordinate."""
    magnitude = torch.clamp(g.abs(), min=torch.exp(torch.tensor(-k)).item())
    return torch.stack([torch.log(magnitude) / k, torch.clamp(g * torch.exp(torch.tensor(k)).item(), -1, 1)], -1)


def meta_step():
    """First-order L2L meta-gradient: 128 quadratics ‖Wθ − y‖² (n = 10), 2 × 20 coordinatewise LSTM,
    unroll 20, meta-loss Σ_t mean_b f_b(θ_t), gradients of f taken as inputs (not differentiated)."""
    g = torch.Generator().manual_seed(2)
    b, n, hidden = 128, 10, 20
    w = torch.randn(b, n, n, generator=g)
    y = torch.randn(b, n, 1, generator=g)
    theta0 = torch.randn(b, n, 1, generator=g)
    cell1 = torch.nn.LSTMCell(2, hidden)
    cell2 = torch.nn.LSTMCell(hidden, hidden)
    head = torch.nn.Linear(hidden, 1)
    params = list(cell1.parameters()) + list(cell2.parameters()) + list(head.parameters())

    def run():
        for p in params:
            p.grad = None
        theta = theta0
        coords = b * n
        h1 = c1 = torch.zeros(coords, hidden)
        h2 = c2 = torch.zeros(coords, hidden)
        total = 0
        for _ in range(20):
            r = torch.bmm(w, theta) - y
            grad = (2 * torch.bmm(w.transpose(1, 2), r)).detach()
            features = log_and_sign(grad.reshape(coords))
            h1, c1 = cell1(features, (h1, c1))
            h2, c2 = cell2(h1, (h2, c2))
            theta = theta + 0.1 * head(h2).reshape(b, n, 1)
            total = total + (torch.bmm(w, theta) - y).pow(2).sum((1, 2)).mean()
        total.backward()
        return total

    return run


def ppo_step():
    """One clipped-PPO gradient step and Adam update: a 64-unit GRU over 128 trials × 100 steps of
    bandit inputs (k = 5: one-hot action, reward, done), policy and value heads, standardised
    advantages, clip 0.2, value coefficient 0.5, entropy 0.01."""
    g = torch.Generator().manual_seed(3)
    steps, batch, actions, hidden = 100, 128, 5, 64
    inputs = torch.zeros(steps, batch, actions + 2)
    chosen = torch.randint(actions, (steps, batch), generator=g)
    inputs[1:, :, :actions] = F.one_hot(chosen[:-1], actions).float()
    inputs[1:, :, actions] = (torch.rand(steps - 1, batch, generator=g) < 0.5).float()
    gru = torch.nn.GRU(actions + 2, hidden)
    policy_head = torch.nn.Linear(hidden, actions)
    value_head = torch.nn.Linear(hidden, 1)
    params = list(gru.parameters()) + list(policy_head.parameters()) + list(value_head.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    with torch.no_grad():
        hs, _ = gru(inputs)
        old_log_probs = torch.log_softmax(policy_head(hs), -1).gather(-1, chosen.unsqueeze(-1)).squeeze(-1)
    advantages = torch.randn(steps, batch, generator=g)
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    returns = torch.randn(steps, batch, generator=g)

    def run():
        optimizer.zero_grad()
        hs, _ = gru(inputs)
        log_p = torch.log_softmax(policy_head(hs), -1)
        values = value_head(hs).squeeze(-1)
        ratio = torch.exp(log_p.gather(-1, chosen.unsqueeze(-1)).squeeze(-1) - old_log_probs)
        surrogate = torch.min(ratio * advantages, torch.clamp(ratio, 0.8, 1.2) * advantages)
        entropy = -(log_p.exp() * log_p).sum(-1).mean()
        loss = -surrogate.mean() + 0.5 * (values - returns).pow(2).mean() - 0.01 * entropy
        loss.backward()
        optimizer.step()
        return loss

    return run


def trpo_step():
    """One TRPO policy step as PyTorch implementations of RL² write it (rllab, garage): the surrogate's
    gradient over 128 MDP trials × 100 steps (64-unit GRU, inputs: state one-hot, previous action,
    reward, done), 10 conjugate-gradient iterations on Fisher-vector products by double backward
    of the mean KL over every fifth trial (damping 0.01), then a backtracking line search (max KL
    0.01, ratio 0.8, 15 tries); the weights are put back after each run."""
    g = torch.Generator().manual_seed(4)
    steps, batch, states, actions, hidden = 100, 128, 10, 5, 64
    inputs = torch.zeros(steps, batch, states + actions + 2)
    inputs[:, :, :states] = F.one_hot(torch.randint(states, (steps, batch), generator=g), states).float()
    chosen = torch.randint(actions, (steps, batch), generator=g)
    inputs[1:, :, states : states + actions] = F.one_hot(chosen[:-1], actions).float()
    inputs[1:, :, states + actions] = torch.randn(steps - 1, batch, generator=g)
    inputs[10::10, :, states + actions + 1] = 1
    gru = torch.nn.GRU(states + actions + 2, hidden)
    head = torch.nn.Linear(hidden, actions)
    params = list(gru.parameters()) + list(head.parameters())
    fisher_trials = torch.arange(0, batch, 5)[: batch // 5]
    advantages = torch.randn(steps, batch, generator=g)
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

    def log_probs(x):
        return torch.log_softmax(head(gru(x)[0]), -1)

    with torch.no_grad():
        old_log_probs = log_probs(inputs)
        old_chosen = old_log_probs.gather(-1, chosen.unsqueeze(-1)).squeeze(-1)
        old_fisher = old_log_probs[:, fisher_trials]

    def flat(tensors):
        return torch.cat([t.reshape(-1) for t in tensors])

    def surrogate_and_kl():
        new = log_probs(inputs)
        ratio = torch.exp(new.gather(-1, chosen.unsqueeze(-1)).squeeze(-1) - old_chosen)
        kl = (old_log_probs.exp() * (old_log_probs - new)).sum(-1).mean()
        return (ratio * advantages).mean(), kl

    def fisher_vector_product(v):
        new = log_probs(inputs[:, fisher_trials])
        kl = (old_fisher.exp() * (old_fisher - new)).sum(-1).mean()
        grads = flat(torch.autograd.grad(kl, params, create_graph=True))
        return flat(torch.autograd.grad((grads * v).sum(), params)) + 0.01 * v

    def run():
        surrogate, _ = surrogate_and_kl()
        gradient = flat(torch.autograd.grad(surrogate, params))
        x = torch.zeros_like(gradient)
        r = gradient.clone()
        p = r.clone()
        rr = r @ r
        for _ in range(10):
            fp = fisher_vector_product(p)
            alpha = rr / (p @ fp)
            x += alpha * p
            r -= alpha * fp
            rr_next = r @ r
            p = r + (rr_next / rr) * p
            rr = rr_next
        step = torch.sqrt(2 * 0.01 / (x @ fisher_vector_product(x))) * x
        old = [q.detach().clone() for q in params]
        with torch.no_grad():
            for i in range(15):
                offset = 0
                for q, q0 in zip(params, old):
                    q.copy_(q0 + 0.8**i * step[offset : offset + q.numel()].view_as(q))
                    offset += q.numel()
                new_surrogate, kl = surrogate_and_kl()
                if kl <= 0.01 and new_surrogate > surrogate:
                    break
            for q, q0 in zip(params, old):
                q.copy_(q0)

    return run


def rollout():
    """An RL² rollout: 128 Bernoulli-bandit trials (k = 5) of 100 pulls with a 64-unit GRU agent in
    the loop, the environment on the host. Each step: the RL² input (one-hot previous action,
    reward, episode-done flag), a GRUCell step, the policy and value heads, a Gumbel-max sample and
    its log-probability; the actions are read to step the bandits, and the step's log-probabilities
    and values kept, as metagrad's `collectTrials` keeps them."""
    steps, batch, actions, hidden = 100, 128, 5, 64
    g = torch.Generator().manual_seed(4)
    cell = torch.nn.GRUCell(actions + 2, hidden)
    policy_head = torch.nn.Linear(hidden, actions)
    value_head = torch.nn.Linear(hidden, 1)
    rows = torch.arange(batch)

    @torch.no_grad()
    def run():
        arms = torch.rand(batch, actions, generator=g)
        h = torch.zeros(batch, hidden)
        previous = torch.zeros(batch, actions + 2)
        kept = []
        for _ in range(steps):
            h = cell(previous, h)
            logits = policy_head(h)
            values = value_head(h).squeeze(-1)
            noise = -torch.log(-torch.log(torch.rand(batch, actions, generator=g)))
            chosen = torch.argmax(logits + noise, -1)
            log_probs = torch.log_softmax(logits, -1)[rows, chosen]
            taken = chosen.numpy()
            rewards = (torch.rand(batch, generator=g) < arms[rows, chosen]).float()
            one_hot = F.one_hot(torch.from_numpy(taken), actions).float()
            previous = torch.cat([one_hot, rewards[:, None], torch.ones(batch, 1)], 1)
            kept.append((taken, rewards.numpy(), log_probs.numpy(), values.numpy()))
        return kept

    return run


WORKLOADS = {
    "gumbel": gumbel_softmax(hard=False),
    "gumbel-hard": gumbel_softmax(hard=True),
    "meta-step": meta_step,
    "ppo": ppo_step,
    "trpo": trpo_step,
    "rollout": rollout,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    for name in args.workloads.split(","):
        if name not in WORKLOADS:
            raise SystemExit(f"invalid --workloads: {name} (known: {', '.join(WORKLOADS)})")
        run = WORKLOADS[name]()
        for _ in range(args.warmup):
            run()
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
        ordered = sorted(times)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        print(json.dumps({"workload": name, "medianMs": median, "runs": times}), flush=True)


if __name__ == "__main__":
    main()

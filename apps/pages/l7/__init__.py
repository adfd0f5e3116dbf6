"""Lecture 7's demos, in the order the navigation lists them."""

from apps.catalog import Demo

SECTION = "Deep RL"

DEMOS: tuple[Demo, ...] = (
    Demo(
        "l7-watch",
        "Watch a trained agent",
        ":material/smart_toy:",
        "watch.py",
        "A shipped agent of your choice plays an episode: its return and the learning curve of its training.",
        ("Vanilla policy gradient", "TRPO", "PPO", "TD3", "SAC"),
        gradio="lecture7",
    ),
    Demo(
        "l7-train",
        "Train an agent live",
        ":material/sports_esports:",
        "train.py",
        "Train PPO, TRPO, REINFORCE, DDPG, TD3 or SAC with your hyperparameters and watch the return climb.",
        ("RL review", "Vanilla policy gradient", "TRPO", "PPO", "DDPG", "TD3", "SAC"),
        gradio="lecture7_train",
    ),
    Demo(
        "l7-pg",
        "Policy gradient inside",
        ":material/functions:",
        "policy_gradient.py",
        "An episode's returns-to-go, baseline and advantage; the gradient's variance with and without one.",
        ("Vanilla policy gradient",),
        gradio="lecture7_pg",
    ),
    Demo(
        "l7-shaping",
        "Reward shaping",
        ":material/tune:",
        "shaping.py",
        "Change the reward with sliders and train PPO on it: when shaping speeds learning, when it misleads.",
        ("RL review", "Reward shaping", "PPO"),
        gradio="lecture7_shaping",
    ),
    Demo(
        "l7-alphazero",
        "Play AlphaZero",
        ":material/grid_on:",
        "alphazero.py",
        "Play tic-tac-toe or Connect Four against a self-play-trained net + tree search; see its search.",
        ("AlphaGo / AlphaZero", "Monte Carlo tree search"),
        gradio="lecture7_alphazero",
    ),
)

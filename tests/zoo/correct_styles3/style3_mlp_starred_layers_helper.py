"""Three-ways MLP built from [keras.Input(...), *mlp_layers()]."""
import numpy as np
import keras
from keras import layers

HIDDEN = (256, 64)


def hidden_layer(units, name=None):
    return layers.Dense(units, activation="relu", name=name)


def output_layer(n=10):
    return layers.Dense(n, activation="softmax", name="probs")


def mlp_layers(hidden=HIDDEN, n=10):
    """hidden layers + head, in order"""
    out = []
    for i, u in enumerate(hidden):
        out.append(hidden_layer(u, name=f"hidden_{i + 1}"))
    out.append(output_layer(n))
    return out


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), *mlp_layers()], name="seq")


def make_functional():
    inp = keras.Input(shape=(784,))
    x = inp
    for layer in mlp_layers():
        x = layer(x)
    return keras.Model(inp, x, name="fn")


class MLP(keras.Model):
    def __init__(self, hidden=HIDDEN, **kwargs):
        super().__init__(**kwargs)
        stack = mlp_layers(hidden)
        self.hidden_layers = stack[:-1]
        self.head = stack[-1]

    def call(self, x, training=False):
        for layer in self.hidden_layers:
            x = layer(x)
        return self.head(x)


seq_model = make_sequential()
fn_model = make_functional()
sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
for m in (seq_model, fn_model, sub_model):
    print(m.name, m.count_params())

import numpy as np
import keras
from keras import layers

def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )


seq_model = make_sequential()
seq_model.summary()

seq_model.pop()                                        # remove the softmax head
seq_model.add(layers.Dense(10, activation="softmax"))  # put a fresh one back
print(len(seq_model.layers))                           # 3
assert len(seq_model.layers) == 3 and seq_model.count_params() == 218_058

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(256, activation="relu")
        self.fc2 = layers.Dense(64, activation="relu")
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        return self.head(self.fc2(self.fc1(inputs)))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
print("functional == subclassed")


def freeze_experiment(model, layer):
    """Freeze one layer, count, unfreeze, count again."""
    print(len(model.weights), len(model.trainable_weights), len(model.non_trainable_weights))
    layer.trainable = False
    frozen = len(model.trainable_weights)
    layer.trainable = True
    return frozen, len(model.trainable_weights)


print(freeze_experiment(fn_model, fn_model.layers[1]))   # (4, 6)

for layer in fn_model.layers:
    print(f"{layer.name:>14}  trainable={layer.trainable}  weights={len(layer.weights)}")

keras.mixed_precision.set_global_policy("mixed_float16")
mp_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ],
    name="mlp_mixed",
)
first = mp_model.layers[0]
print(first.dtype_policy, first.variable_dtype, first.compute_dtype)
print(mp_model.layers[-1].compute_dtype)
keras.mixed_precision.set_global_policy("float32")

# Lesson section "weights, build() and trainable" on fn_model, then a little experiment of my
# own: a frozen feature extractor under a new classifier (the Day 8 idea the lesson mentions).
import numpy as np
import keras
from keras import layers

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(64, activation="relu"),
                             layers.Dense(10, activation="softmax")], name="mlp_sequential")


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")
sub_model(keras.ops.zeros((1, 784)))

print(len(fn_model.weights))                # 6
print(len(fn_model.trainable_weights))      # 6
print(len(fn_model.non_trainable_weights))  # 0

fn_model.layers[1].trainable = False        # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
fn_model.layers[1].trainable = True         # unfreeze -- back to 6
print(len(fn_model.trainable_weights))      # 6

# --- my experiment: a pretrained-looking backbone, frozen on purpose, with a new head ---
backbone = keras.Sequential([keras.Input(shape=(32,)), layers.Dense(16, activation="relu")],
                            name="toy_backbone")
backbone.trainable = False                   # keep the "pretrained" features fixed
toy_classifier = keras.Sequential([backbone, layers.Dense(3, activation="softmax")],
                                  name="toy_classifier")
toy_classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
toy_classifier.fit(np.random.rand(64, 32).astype("float32"), np.random.randint(0, 3, 64),
                   epochs=1, verbose=0)
print("toy trainable:", len(toy_classifier.trainable_weights))   # 2: only the new head
